// Inserts of mapped rows. JSONEachRow keeps record values out of SQL text; a retried insert of the
// same rows with the same version is harmless under ReplacingMergeTree.
import type { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'crypto';
import type { ResourceConfig } from '../config/source-config-types';
import { decideWrites, StoredState, WriteDecision } from './merge-order';
import { QUARANTINE_TABLE } from './schema';
import type { Row } from './row-mapping';
import { ident } from './sql';

/** The stored state of the given ids (newest row of each, deletion markers included). */
export async function storedStates(
  ch: ClickHouseClient,
  db: string,
  resource: ResourceConfig,
  ids: number[],
  cursorColumn: string | undefined,
): Promise<Map<number, StoredState>> {
  const states = new Map<number, StoredState>();
  if (ids.length === 0) return states;
  const pk = ident(resource.primary_key);
  const changedAt = cursorColumn ? `toUInt32(${ident(cursorColumn)})` : 'NULL';
  const rs = await ch.query({
    query:
      `SELECT ${pk} AS id, _hash AS hash, _is_deleted AS deleted, _version AS version, ${changedAt} AS changed_at ` +
      `FROM ${ident(db)}.${ident(resource.name)} FINAL WHERE ${pk} IN (${ids.join(',')})`,
    format: 'JSONEachRow',
  });
  for (const r of await rs.json<{
    id: number;
    hash: number;
    deleted: number;
    version: number;
    changed_at: number | null;
  }>()) {
    states.set(Number(r.id), {
      id: Number(r.id),
      hash: Number(r.hash),
      deleted: Number(r.deleted) === 1,
      version: Number(r.version),
      changedAt: r.changed_at === null ? null : Number(r.changed_at),
    });
  }
  return states;
}

export async function insertRows(
  ch: ClickHouseClient,
  db: string,
  table: string,
  rows: Row[],
): Promise<void> {
  if (rows.length === 0) return;
  await ch.insert({ table: `${db}.${table}`, values: rows, format: 'JSONEachRow' });
}

/**
 * Writes what an observation of the source (at `observedMs`) changes: new and changed rows, with
 * versions that keep the newest state on top (merge-order.ts). Returns what it did and did not write.
 */
export async function writeObservedRows(
  ch: ClickHouseClient,
  db: string,
  resource: ResourceConfig,
  rows: Row[],
  observedMs: number,
  cursorColumn: string | undefined,
): Promise<WriteDecision> {
  const pk = resource.primary_key;
  const stored = await storedStates(
    ch,
    db,
    resource,
    rows.map((r) => r[pk] as number),
    cursorColumn,
  );
  const decision = decideWrites(rows, pk, cursorColumn, stored, observedMs);
  await insertRows(ch, db, resource.name, decision.write);
  return decision;
}

export interface QuarantinedRecord {
  resource: string;
  reason: string;
  raw: string;
}

export async function insertQuarantined(
  ch: ClickHouseClient,
  db: string,
  records: QuarantinedRecord[],
  meta: { runId: string; syncedAt: number },
): Promise<void> {
  if (records.length === 0) return;
  const values = records.map((r) => ({
    ...r,
    // The same record from a retried page lands on the same key and merges away.
    raw_hash: createHash('sha256').update(r.raw).digest().readBigUInt64BE(0).toString(),
    _run_id: meta.runId,
    _synced_at: Math.floor(meta.syncedAt / 1000),
    _version: meta.syncedAt,
  }));
  await ch.insert({ table: `${db}.${QUARANTINE_TABLE}`, values, format: 'JSONEachRow' });
}
