// The sync_runs rows of a run: one per resource, from its summary. Written by the run itself at its
// end (workflows/sync.ts), or by `release-stuck` for a run it ended (client/release-stuck.ts).
import type { SyncSummary } from './types';

/** A row of `sync_runs` (clickhouse/run-history.ts). */
export interface RunRow {
  run_id: string;
  resource: string;
  kind: string;
  trigger: string;
  /** Epoch seconds. */
  started: number;
  finished: number;
  pages: number;
  rows_written: number;
  rows_unchanged: number;
  rows_deleted: number;
  held_back: number;
  /** Records kept in _quarantine instead of the table (no usable key, or a key shared with another). */
  rows_quarantined: number;
  retries: number;
  /** ok, degraded, failed or cancelled. */
  outcome: string;
  error: string;
}

export function runRowsOf(summary: SyncSummary, trigger: string): RunRow[] {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return summary.resources.map((r) => ({
    run_id: summary.syncId,
    resource: r.resource,
    kind: summary.mode,
    trigger,
    started: seconds(r.startedAt),
    finished: seconds(r.finishedAt || summary.finishedAt),
    pages: r.pages,
    rows_written: r.rows,
    rows_unchanged: r.unchanged,
    rows_deleted: r.deleted,
    held_back: r.heldBack,
    rows_quarantined: r.quarantined,
    retries: r.retries,
    outcome: r.cancelled
      ? 'cancelled'
      : !r.ok
        ? 'failed'
        : r.degraded.length || r.heldBack
          ? 'degraded'
          : 'ok',
    error: r.error ?? [...r.degraded, ...(r.heldBack ? r.notes : [])].join('; '),
  }));
}
