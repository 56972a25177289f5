// The engine's own state in the destination, beside the data it describes:
// - `_sync_seen`: the ids each read received. A read's distinct ids check its consistency, and the
//   ids its consistent reads received decide what vanished (deletions). Old days are dropped.
// - `_sync_cursors`: per resource, the newest cursor value of the last complete read and the window
//   it covered. Written only after the read and its deletions are in, so a crash before it leaves
//   the old cursor, and the next run reads that stretch again (unchanged records are not rewritten).
import type { ClickHouseClient } from '@clickhouse/client';
import type { CursorState } from '../shared/types';
import { createRunsTableSql } from './run-history';
import { Cluster, engineSql, onCluster } from './placement';
import { ident, sqlString } from './sql';

export const SEEN_TABLE = '_sync_seen';
export const CURSOR_TABLE = '_sync_cursors';
/** Seen ids are needed only while their run goes on; a few days leave room for long or stuck runs. */
const SEEN_KEEP_DAYS = 7;

const table = (db: string, name: string) => `${ident(db)}.${ident(name)}`;

export function createSeenTableSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${table(db, SEEN_TABLE)}${onCluster(cluster)} (`,
    "  resource String, run_id String, read_id String, id UInt64, seen_at DateTime('UTC')",
    `) ${engineSql(cluster, db, SEEN_TABLE, 'MergeTree')} PARTITION BY toYYYYMMDD(seen_at) ORDER BY (run_id, read_id, id)`,
  ].join('\n');
}

export function createCursorTableSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${table(db, CURSOR_TABLE)}${onCluster(cluster)} (`,
    '  resource String, cursor String, window_since String, window_until String, run_id String, mode String,',
    "  recorded_at DateTime('UTC'), _version UInt64",
    `) ${engineSql(cluster, db, CURSOR_TABLE, 'ReplacingMergeTree', '_version')} ORDER BY resource`,
  ].join('\n');
}

export async function ensureSyncStateTables(
  ch: ClickHouseClient,
  db: string,
  cluster?: Cluster,
): Promise<void> {
  await ch.command({ query: createSeenTableSql(db, cluster) });
  await ch.command({ query: createCursorTableSql(db, cluster) });
  await ch.command({ query: createRunsTableSql(db, cluster) });
}

/** Drops days of seen ids older than SEEN_KEEP_DAYS (whole partitions: cheap on every version). */
export async function dropOldSeenIds(
  ch: ClickHouseClient,
  db: string,
  nowMs: number,
  cluster?: Cluster,
): Promise<void> {
  const cutoff = Number(
    new Date(nowMs - SEEN_KEEP_DAYS * 86_400_000).toISOString().slice(0, 10).replace(/-/g, ''),
  );
  const rs = await ch.query({
    query:
      `SELECT DISTINCT partition FROM system.parts WHERE database = ${sqlString(db)} ` +
      `AND table = ${sqlString(SEEN_TABLE)} AND active`,
    format: 'JSONEachRow',
  });
  for (const { partition } of await rs.json<{ partition: string }>()) {
    if (/^\d{8}$/.test(partition) && Number(partition) < cutoff) {
      await ch.command({
        query: `ALTER TABLE ${table(db, SEEN_TABLE)}${onCluster(cluster)} DROP PARTITION ${partition}`,
      });
    }
  }
}

export async function insertSeenIds(
  ch: ClickHouseClient,
  db: string,
  seen: { resource: string; runId: string; readId: string; ids: number[]; at: number },
): Promise<void> {
  if (seen.ids.length === 0) return;
  const seenAt = Math.floor(seen.at / 1000);
  await ch.insert({
    table: `${db}.${SEEN_TABLE}`,
    values: seen.ids.map((id) => ({
      resource: seen.resource,
      run_id: seen.runId,
      read_id: seen.readId,
      id,
      seen_at: seenAt,
    })),
    format: 'JSONEachRow',
  });
}

/** The run id is the read id's first part: reads are `<run id>|<part>|<attempt>`. */
const runIdOf = (readId: string) => readId.slice(0, readId.indexOf('|'));

export async function countSeenIds(ch: ClickHouseClient, db: string, readId: string): Promise<number> {
  const rs = await ch.query({
    query:
      `SELECT uniqExact(id) AS n FROM ${table(db, SEEN_TABLE)} ` +
      `WHERE run_id = ${sqlString(runIdOf(readId))} AND read_id = ${sqlString(readId)}`,
    format: 'JSONEachRow',
  });
  const [{ n }] = await rs.json<{ n: number | string }>();
  return Number(n);
}

/** SQL for the ids the given reads of one run received. */
export function seenIdsSql(db: string, runId: string, readIds: string[]): string {
  return (
    `SELECT id FROM ${table(db, SEEN_TABLE)} ` +
    `WHERE run_id = ${sqlString(runId)} AND read_id IN (${readIds.map(sqlString).join(', ') || "''"})`
  );
}

export async function readCursor(
  ch: ClickHouseClient,
  db: string,
  resource: string,
): Promise<CursorState | null> {
  // argMax rather than FINAL: it reads the newest row whatever the merges have done.
  const rs = await ch.query({
    query:
      `SELECT argMax(cursor, _version) AS cursor, argMax(window_since, _version) AS since, ` +
      `argMax(window_until, _version) AS until, argMax(run_id, _version) AS run_id, ` +
      `argMax(mode, _version) AS mode FROM ${table(db, CURSOR_TABLE)} ` +
      `WHERE resource = ${sqlString(resource)} GROUP BY resource`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{
    cursor: string;
    since: string;
    until: string;
    run_id: string;
    mode: string;
  }>();
  if (!row) return null;
  return {
    resource,
    cursor: row.cursor,
    window: { since: row.since, until: row.until },
    runId: row.run_id,
    mode: row.mode as CursorState['mode'],
  };
}

export async function writeCursor(
  ch: ClickHouseClient,
  db: string,
  state: CursorState,
  nowMs: number,
): Promise<void> {
  await ch.insert({
    table: `${db}.${CURSOR_TABLE}`,
    values: [
      {
        resource: state.resource,
        cursor: state.cursor,
        window_since: state.window.since,
        window_until: state.window.until,
        run_id: state.runId,
        mode: state.mode,
        recorded_at: Math.floor(nowMs / 1000),
        _version: nowMs,
      },
    ],
    format: 'JSONEachRow',
  });
}
