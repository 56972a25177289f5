// Inserts of mapped rows. JSONEachRow keeps record values out of SQL text; a retried insert of the
// same rows with the same version is harmless under ReplacingMergeTree.
import type { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'crypto';
import type { ResourceConfig } from '../domain/source-config';
import type { ReadTarget } from '../domain/types';
import { decideWrites, WriteDecision } from './merge-order';
import { rememberWritten, storedStates } from './stored-state-cache';
import { QUARANTINE_TABLE } from './schema';
import type { Row } from './row-mapping';
import { qualified } from './sql';

export async function insertRows(
  ch: ClickHouseClient,
  db: string,
  table: string,
  rows: Row[],
): Promise<void> {
  if (rows.length === 0) return;
  await ch.insert({ table: qualified(db, table), values: rows, format: 'JSONEachRow' });
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
  read: { readId: string; target: ReadTarget },
): Promise<WriteDecision> {
  const pk = resource.key_column;
  const at = { ch, db, resource, cursorColumn, readId: read.readId, target: read.target };
  const stored = await storedStates({ ...at, ids: rows.map((r) => r[pk] as number) });
  const decision = decideWrites(rows, pk, cursorColumn, stored, observedMs);
  await insertRows(ch, db, resource.name, decision.write);
  await rememberWritten(at, decision.write);
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
  meta: { syncId: string; syncedAt: number },
): Promise<void> {
  if (records.length === 0) return;
  const values = records.map((r) => ({
    ...r,
    // The same record from a retried page lands on the same key and merges away.
    raw_hash: createHash('sha256').update(r.raw).digest().readBigUInt64BE(0).toString(),
    _run_id: meta.syncId,
    _synced_at: Math.floor(meta.syncedAt / 1000),
    _version: meta.syncedAt,
  }));
  await ch.insert({ table: qualified(db, QUARANTINE_TABLE), values, format: 'JSONEachRow' });
}
