// What activities report besides their results: counters the worker exports beside Temporal's own
// metrics (pages, rows and retries per resource) and log events. Called inside an activity only
// (tests run them in @temporalio/testing's MockActivityEnvironment).
import { Context } from '@temporalio/activity';

export type CounterName =
  | 'clockodo_pages'
  | 'clockodo_rows_written'
  | 'clockodo_rows_unchanged'
  | 'clockodo_page_retries'
  | 'clockodo_rows_deleted'
  | 'clockodo_deletions_held_back'
  | 'clockodo_rows_quarantined'
  | 'clockodo_key_collisions';

const DESCRIPTIONS: Record<CounterName, string> = {
  clockodo_pages: 'API pages read and written',
  clockodo_rows_written: 'rows written (new or changed records)',
  clockodo_rows_unchanged: 'records read that were already stored unchanged',
  clockodo_page_retries: 'attempts beyond the first that pages took',
  clockodo_rows_deleted: 'records marked deleted',
  clockodo_deletions_held_back: 'deletions the mass-deletion guard held back',
  clockodo_rows_quarantined:
    'records kept in _quarantine instead of their table (no usable key, or a key another record of the run had)',
  clockodo_key_collisions: 'keys that several different records of one run had',
};

/** Logs an event through the activity's logger (which adds the workflow and activity ids). */
export function logInActivity(message: string, meta: Record<string, unknown>): void {
  Context.current().log.info(message, meta);
}

/** Adds `value` to a counter tagged with the resource. */
export function count(name: CounterName, resource: string, value: number): void {
  if (value <= 0) return;
  Context.current().metricMeter.createCounter(name, 'records', DESCRIPTIONS[name]).add(value, { resource });
}
