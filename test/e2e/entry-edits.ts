// Changes to the local API server's entries as people make them, for runs that must see them.
import { strict as assert } from 'assert';
import type { Dataset, Entry } from '../../api-server/types';

/** An instant as the API writes it: whole seconds, UTC. */
export const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** An edited copy of `e`: new text, changed now. */
export function edited(e: Entry, text: string): Entry {
  return { ...e, text, time_last_change: iso(Date.now() - 1000) };
}

/** A new finished time entry starting at `sinceMs`, modelled on an existing one. */
export function newEntry(ds: Dataset, id: number, sinceMs: number): Entry {
  const model = ds.entries.find((e) => e.type === 1 && e.time_until !== null);
  assert.ok(model && model.type === 1);
  return {
    ...model,
    id,
    text: `added ${id}`,
    time_since: iso(sinceMs),
    time_until: iso(sinceMs + 3600_000),
    duration: 3600,
    time_insert: iso(Date.now() - 1000),
    time_last_change: iso(Date.now() - 1000),
    time_last_change_work_time: iso(Date.now() - 1000),
  };
}
