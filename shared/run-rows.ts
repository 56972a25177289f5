// The sync_runs rows of a run: one per resource, from its summary. Written by the run itself at its
// end (workflows/sync.ts), or by `release-stuck` for a run it ended (client/release-stuck.ts).
import type { RunRow } from '../clickhouse/run-history';
import type { SyncSummary } from './types';

export function runRowsOf(summary: SyncSummary, trigger: string): RunRow[] {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return summary.resources.map((r) => ({
    run_id: summary.runId,
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
