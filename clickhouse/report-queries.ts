// The statements behind `npm run report`: what a destination holds per resource, and its cursors.
import type { ClickHouseClient } from '@clickhouse/client';
import { readCatalogue } from './catalog-read';
import { QUARANTINE_TABLE } from './schema';
import { qualified, sqlString } from './sql';
import { CURSOR_TABLE, readCursor } from './sync-state';
import type { CursorState } from '../domain/types';

export interface TableReport {
  current: number;
  stored: number;
  deleted: number;
  shape: number;
  lastWritten: string;
}

export async function tableExists(ch: ClickHouseClient, db: string, table: string): Promise<boolean> {
  const [{ n }] = await readCatalogue<{ n: number }>(
    ch,
    `SELECT count() AS n FROM system.tables WHERE database = ${sqlString(db)} AND name = ${sqlString(table)}`,
  );
  return Number(n) > 0;
}

/** Counts for one resource table, or null when no sync has created it yet. */
export async function tableReport(
  ch: ClickHouseClient,
  db: string,
  table: string,
): Promise<TableReport | null> {
  if (!(await tableExists(ch, db, table))) return null;
  const t = qualified(db, table);
  const rs = await ch.query({
    query:
      `SELECT countIf(_is_deleted = 0) AS current, (SELECT count() FROM ${t}) AS stored, ` +
      `countIf(_is_deleted = 1) AS deleted, countIf(notEmpty(_shape_errors) AND _is_deleted = 0) AS shape, ` +
      `toString(max(_synced_at)) AS lastWritten FROM ${t} FINAL`,
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<TableReport>();
  return r;
}

/** Records without a usable id, per resource. */
export async function quarantineReport(
  ch: ClickHouseClient,
  db: string,
): Promise<{ resource: string; n: number }[]> {
  if (!(await tableExists(ch, db, QUARANTINE_TABLE))) return [];
  const rs = await ch.query({
    query: `SELECT resource, count() AS n FROM ${qualified(db, QUARANTINE_TABLE)} FINAL GROUP BY resource`,
    format: 'JSONEachRow',
  });
  return rs.json<{ resource: string; n: number }>();
}

/** The cursor of a resource, or null when it has none (yet). */
export async function cursorReport(
  ch: ClickHouseClient,
  db: string,
  resource: string,
): Promise<CursorState | null> {
  if (!(await tableExists(ch, db, CURSOR_TABLE))) return null;
  return readCursor(ch, db, resource);
}
