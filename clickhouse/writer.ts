// Inserts of mapped rows. JSONEachRow keeps record values out of SQL text; a retried insert of the
// same rows with the same version is harmless under ReplacingMergeTree. Streamed (json-insert.ts).
import type { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'crypto';
import type { ResourceConfig } from '../domain/source-config';
import type { ReadTarget } from '../domain/types';
import { decideWrites, WriteDecision } from './merge-order';
import { rememberWritten, storedStates } from './stored-state-cache';
import { QUARANTINE_TABLE } from './schema';
import type { Row } from './row-mapping';
import { qualified } from './sql';
import { insertJsonEachRow } from './json-insert';

export async function insertRows(
  ch: ClickHouseClient,
  db: string,
  table: string,
  rows: Row[],
): Promise<void> {
  if (rows.length === 0) return;
  await insertJsonEachRow(ch, qualified(db, table), rows);
}

/** The column that orders states by the source's own clock: the cursor field, when a datetime column. */
export function cursorColumnOf(resource: ResourceConfig): string | undefined {
  const field = resource.endpoint.incremental_sync?.cursor_field;
  return field && resource.columns[field]?.kind === 'datetime' ? field : undefined;
}

/**
 * Decides what an observation of the source (at `observedMs`) changes: new and changed rows, with
 * versions that keep the newest state on top (merge-order.ts). Writes nothing.
 */
export async function decideObservedRows(
  ch: ClickHouseClient,
  db: string,
  resource: ResourceConfig,
  rows: Row[],
  observedMs: number,
  read: { readId: string; target: ReadTarget },
): Promise<WriteDecision> {
  const pk = resource.key_column;
  const cursorColumn = cursorColumnOf(resource);
  const at = { ch, db, resource, cursorColumn, readId: read.readId, target: read.target };
  const stored = await storedStates({ ...at, ids: rows.map((r) => r[pk] as number) });
  return decideWrites(rows, pk, cursorColumn, stored, observedMs);
}

/** Decides and writes what an observation changes (decideObservedRows, then the insert). */
export async function writeObservedRows(
  ...args: Parameters<typeof decideObservedRows>
): Promise<WriteDecision> {
  const [ch, db, resource, , , read] = args;
  const decision = await decideObservedRows(...args);
  await insertRows(ch, db, resource.name, decision.write);
  await rememberWritten(
    { db, resource, readId: read.readId, cursorColumn: cursorColumnOf(resource) },
    decision.write,
  );
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
  await insertJsonEachRow(ch, qualified(db, QUARANTINE_TABLE), values);
}
