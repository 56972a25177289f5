// Inserts of mapped rows. JSONEachRow keeps record values out of SQL text; a retried insert of the
// same rows with the same version is harmless under ReplacingMergeTree.
import type { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'crypto';
import { QUARANTINE_TABLE } from './schema';
import type { Row } from './row-mapping';

export async function insertRows(
  ch: ClickHouseClient,
  db: string,
  table: string,
  rows: Row[],
): Promise<void> {
  if (rows.length === 0) return;
  await ch.insert({ table: `${db}.${table}`, values: rows, format: 'JSONEachRow' });
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
  meta: { runId: string; syncedAt: number; version: number },
): Promise<void> {
  if (records.length === 0) return;
  const values = records.map((r) => ({
    ...r,
    // The same record from a retried page lands on the same key and merges away.
    raw_hash: createHash('sha256').update(r.raw).digest().readBigUInt64BE(0).toString(),
    _run_id: meta.runId,
    _synced_at: Math.floor(meta.syncedAt / 1000),
    _version: meta.version,
  }));
  await ch.insert({ table: `${db}.${QUARANTINE_TABLE}`, values, format: 'JSONEachRow' });
}
