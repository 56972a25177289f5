// The engine's own state in the destination, beside the data it describes:
// - `_sync_seen`: the ids each read received, with each record's content hash and page. A read's
//   distinct ids and records check its consistency; records of different content under one id are a key
//   collision; the ids its consistent reads received decide what vanished (deletions). Old days are dropped.
// - `_sync_cursors`: per resource, the newest cursor value of the last complete read and the window
//   it covered. Written only after the read and its deletions are in, so a crash before it leaves
//   the old cursor, and the next run reads that stretch again (unchanged records are not rewritten).
import type { ClickHouseClient } from '@clickhouse/client';
import type { CursorState, SeenRecords } from '../domain/types';
import { createRunsTableSql } from './run-history';
import { addMissingColumns } from './schema';
import { Cluster, engineSql, onCluster } from './placement';
import { qualified, sqlString } from './sql';
import { insertJsonEachRow } from './json-insert';

import { CURSOR_TABLE, SEEN_TABLE } from '../domain/table-names';

export { CURSOR_TABLE, SEEN_TABLE };
/** Seen ids are needed only while their run goes on; a few days leave room for long or stuck runs. */
const SEEN_KEEP_DAYS = 7;

export function createSeenTableSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(db, SEEN_TABLE)}${onCluster(cluster)} (`,
    "  resource String, run_id String, read_id String, id UInt64, seen_at DateTime('UTC'), hash UInt64, page UInt32",
    `) ${engineSql(cluster, db, SEEN_TABLE, 'MergeTree')} PARTITION BY toYYYYMMDD(seen_at) ORDER BY (run_id, read_id, id)`,
  ].join('\n');
}

export function createCursorTableSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(db, CURSOR_TABLE)}${onCluster(cluster)} (`,
    '  resource String, cursor String, window_since String, window_until String, run_id String, mode String,',
    "  recorded_at DateTime('UTC'), _version UInt64",
    `) ${engineSql(cluster, db, CURSOR_TABLE, 'ReplacingMergeTree', '_version')} ORDER BY resource`,
  ].join('\n');
}

/** Columns `_sync_seen` gained after its first release: added to tables made before. */
const SEEN_COLUMNS_ADDED = { hash: 'UInt64', page: 'UInt32' };

export async function ensureSyncStateTables(
  ch: ClickHouseClient,
  db: string,
  cluster?: Cluster,
): Promise<void> {
  await ch.command({ query: createSeenTableSql(db, cluster) });
  await addMissingColumns(ch, db, SEEN_TABLE, SEEN_COLUMNS_ADDED, cluster);
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
        query: `ALTER TABLE ${qualified(db, SEEN_TABLE)}${onCluster(cluster)} DROP PARTITION ${partition}`,
      });
    }
  }
}

/** A record a read received: its key, content hash (`_hash`) and page. */
export interface SeenRecord {
  id: number;
  hash: number;
  page: number;
}

/** The records one read received on one or more of its pages. */
export interface SeenBatch {
  resource: string;
  syncId: string;
  readId: string;
  records: SeenRecord[];
  at: number;
}

export async function insertSeenIds(ch: ClickHouseClient, db: string, seen: SeenBatch): Promise<void> {
  if (seen.records.length === 0) return;
  const seenAt = Math.floor(seen.at / 1000);
  const rows = function* () {
    for (const { id, hash, page } of seen.records)
      yield {
        resource: seen.resource,
        run_id: seen.syncId,
        read_id: seen.readId,
        id,
        seen_at: seenAt,
        hash,
        page,
      };
  };
  await insertJsonEachRow(ch, qualified(db, SEEN_TABLE), rows());
}

/** The sync's id is the read id's first part: reads are `<sync id>|<part>|<attempt>`. */
const syncIdOfRead = (readId: string) => readId.slice(0, readId.indexOf('|'));

export async function countSeenIds(ch: ClickHouseClient, db: string, readId: string): Promise<number> {
  const rs = await ch.query({
    query:
      `SELECT uniqExact(id) AS n FROM ${qualified(db, SEEN_TABLE)} ` +
      `WHERE run_id = ${sqlString(syncIdOfRead(readId))} AND read_id = ${sqlString(readId)}`,
    format: 'JSONEachRow',
  });
  const [{ n }] = await rs.json<{ n: number | string }>();
  return Number(n);
}

/**
 * The distinct keys and records a read received. A retried page records its ids again, and a record a
 * shifting list showed on two pages has the same content both times: neither counts twice. Two
 * contents under one key count twice (a key collision). Hash 0 is a row written before hashes were
 * recorded: it counts as no content of its own.
 */
export async function seenRecords(ch: ClickHouseClient, db: string, readId: string): Promise<SeenRecords> {
  const rs = await ch.query({
    query:
      `SELECT count() AS ids, sum(greatest(contents, 1)) AS records FROM (` +
      `SELECT id, uniqExactIf(hash, hash != 0) AS contents FROM ${qualified(db, SEEN_TABLE)} ` +
      `WHERE run_id = ${sqlString(syncIdOfRead(readId))} AND read_id = ${sqlString(readId)} GROUP BY id)`,
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<{ ids: number | string; records: number | string }>();
  return { ids: Number(r?.ids ?? 0), records: Number(r?.records ?? 0) };
}

/** A key that several records of different content had in the given reads, and where each was read. */
export interface CollidingKey {
  id: number;
  places: { readId: string; page: number }[];
}

/** Keys with more than one content among the given reads of a run (at most `limit`), and how many in all. */
export async function collidingKeys(
  ch: ClickHouseClient,
  db: string,
  q: { resource: string; syncId: string; readIds: string[]; limit: number },
): Promise<{ total: number; keys: CollidingKey[] }> {
  const grouped =
    `SELECT id, uniqExactIf(hash, hash != 0) AS contents, groupUniqArray((read_id, page)) AS places ` +
    `FROM ${qualified(db, SEEN_TABLE)} WHERE run_id = ${sqlString(q.syncId)} AND resource = ${sqlString(q.resource)} ` +
    `AND read_id IN (${q.readIds.map(sqlString).join(', ') || "''"}) GROUP BY id HAVING contents > 1`;
  const [total] = await (
    await ch.query({ query: `SELECT count() AS n FROM (${grouped})`, format: 'JSONEachRow' })
  ).json<{ n: number | string }>();
  if (Number(total.n) === 0 || q.limit === 0) return { total: Number(total.n), keys: [] };
  const rs = await ch.query({
    query: `${grouped} ORDER BY id LIMIT ${Math.floor(q.limit)}`,
    format: 'JSONEachRow',
  });
  const keys = (await rs.json<{ id: number | string; places: [string, number | string][] }>()).map((k) => ({
    id: Number(k.id),
    places: k.places.map(([readId, page]) => ({ readId, page: Number(page) })),
  }));
  return { total: Number(total.n), keys };
}

/** SQL for the ids the given reads of one run received. */
export function seenIdsSql(db: string, syncId: string, readIds: string[]): string {
  return (
    `SELECT id FROM ${qualified(db, SEEN_TABLE)} ` +
    `WHERE run_id = ${sqlString(syncId)} AND read_id IN (${readIds.map(sqlString).join(', ') || "''"})`
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
      `argMax(mode, _version) AS mode FROM ${qualified(db, CURSOR_TABLE)} ` +
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
    syncId: row.run_id,
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
    table: qualified(db, CURSOR_TABLE),
    values: [
      {
        resource: state.resource,
        cursor: state.cursor,
        window_since: state.window.since,
        window_until: state.window.until,
        run_id: state.syncId,
        mode: state.mode,
        recorded_at: Math.floor(nowMs / 1000),
        _version: nowMs,
      },
    ],
    format: 'JSONEachRow',
  });
}
