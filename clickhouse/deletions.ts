// Deletion markers. Once a scope was read consistently, every live stored record in it that the
// consistent reads did not receive has vanished from the source: it gets a marker, a copy of its newest row with
// _is_deleted = 1 and a version above it. Safe to run twice: the second run finds the markers.
import type { ClickHouseClient } from '@clickhouse/client';
import type { ResourceConfig } from '../domain/source-config';
import type { DeletionScope } from '../domain/types';
import { parseUtc } from '../domain/windows';
import { tableColumns } from './schema';
import { ident, qualified, sqlString } from './sql';
import { seenIdsSql } from './sync-state';

export function scopeCondition(scope: DeletionScope): string {
  switch (scope.kind) {
    case 'all':
      return '1';
    case 'partitions':
      return `_partition IN (${scope.values.map(sqlString).join(', ')})`;
    case 'windows': {
      if (scope.windows.length === 0) return '0';
      const col = ident(scope.column);
      const bound = scope.days
        ? (iso: string) => `toDate(${sqlString(iso.slice(0, 10))})`
        : (iso: string) => `toDateTime(${Math.floor(parseUtc(iso) / 1000)})`;
      return scope.windows
        .map((w) => `(${col} >= ${bound(w.since)} AND ${col} <= ${bound(w.until)})`)
        .join(' OR ');
    }
  }
}

export interface DeletionTarget {
  db: string;
  resource: ResourceConfig;
  syncId: string;
  scope: DeletionScope;
  /** The consistent reads covering the scope. */
  readIds: string[];
}

function conditions(t: DeletionTarget) {
  const inScope = `_is_deleted = 0 AND (${scopeCondition(t.scope)})`;
  const unseen = `${inScope} AND ${ident(t.resource.key_column)} NOT IN (${seenIdsSql(t.db, t.syncId, t.readIds)})`;
  return { inScope, unseen };
}

const tableOf = (t: DeletionTarget) => qualified(t.db, t.resource.name);

/** Live rows in the scope, and those among them that the consistent reads did not receive. */
export async function countDeletionCandidates(
  ch: ClickHouseClient,
  t: DeletionTarget,
): Promise<{ live: number; candidates: number }> {
  const { inScope, unseen } = conditions(t);
  const rs = await ch.query({
    query:
      `SELECT count() AS live, ` +
      `(SELECT count() FROM ${tableOf(t)} FINAL WHERE ${unseen}) AS candidates ` +
      `FROM ${tableOf(t)} FINAL WHERE ${inScope}`,
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<{ live: number | string; candidates: number | string }>();
  return { live: Number(r.live), candidates: Number(r.candidates) };
}

/** Writes the markers; their version is the decision time, or above the row's own if that is later. */
export async function writeDeletionMarkers(
  ch: ClickHouseClient,
  t: DeletionTarget,
  nowMs: number,
): Promise<void> {
  const columns = tableColumns(t.resource).map(([name]) => name);
  const overrides: Record<string, string> = {
    _version: `greatest(toUInt64(${nowMs}), _version + 1)`,
    _synced_at: 'now()',
    _run_id: sqlString(t.syncId),
    _is_deleted: '1',
  };
  const select = columns.map((c) => (overrides[c] ? `${overrides[c]} AS ${ident(c)}` : ident(c)));
  // The filter sits in a subquery: ClickHouse lets SELECT aliases shadow columns in WHERE, and the
  // aliases here (_version, _is_deleted) are the very columns the filter reads.
  await ch.command({
    query:
      `INSERT INTO ${tableOf(t)} (${columns.map(ident).join(', ')}) ` +
      `SELECT ${select.join(', ')} FROM (SELECT * FROM ${tableOf(t)} FINAL WHERE ${conditions(t).unseen})`,
  });
}

/** Markers this run wrote in the scope (so a retried activity reports the same count). */
export async function countMarkersOfRun(ch: ClickHouseClient, t: DeletionTarget): Promise<number> {
  const rs = await ch.query({
    query:
      `SELECT count() AS n FROM ${tableOf(t)} FINAL ` +
      `WHERE _is_deleted = 1 AND _run_id = ${sqlString(t.syncId)} AND (${scopeCondition(t.scope)})`,
    format: 'JSONEachRow',
  });
  const [{ n }] = await rs.json<{ n: number | string }>();
  return Number(n);
}
