// Which observed rows to write, and with which version, so that ReplacingMergeTree keeps the newest
// state of the source whatever order pages, retries and runs finish in:
// - a record identical to the stored one is not written (an incremental run writes only changes);
// - the source's own change time (the cursor field, when the resource has one) orders states first:
//   an observation older than the stored state is stale and dropped;
// - otherwise the later observation wins: a page observed before the stored row was is stale;
// - a row that is written gets a version above the stored one, so it wins the merge for sure.
import type { Row } from './row-mapping';

export interface StoredState {
  id: number;
  hash: number;
  deleted: boolean;
  version: number;
  /** The cursor field (epoch seconds), when the resource has one and the row has a value. */
  changedAt: number | null;
}

export interface WriteDecision {
  write: Row[];
  unchanged: number;
  stale: number;
}

export function decideWrites(
  rows: Row[],
  primaryKey: string,
  cursorColumn: string | undefined,
  stored: Map<number, StoredState>,
  observedMs: number,
): WriteDecision {
  const decision: WriteDecision = { write: [], unchanged: 0, stale: 0 };
  for (const row of rows) {
    const s = stored.get(row[primaryKey] as number);
    if (!s) {
      decision.write.push({ ...row, _version: observedMs });
      continue;
    }
    if (!s.deleted && s.hash === row._hash) {
      decision.unchanged++;
      continue;
    }
    const changedAt = cursorColumn ? (row[cursorColumn] as number | null) : null;
    const bySource =
      changedAt === null || changedAt === undefined || s.changedAt === null
        ? 0
        : Math.sign(changedAt - s.changedAt);
    if (bySource < 0 || (bySource === 0 && s.version > observedMs)) {
      decision.stale++;
      continue;
    }
    decision.write.push({ ...row, _version: Math.max(observedMs, s.version + 1) });
  }
  return decision;
}
