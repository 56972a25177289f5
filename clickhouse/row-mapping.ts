// From an API record to a table row: typed columns named as the API names the fields, plus the
// record itself as JSON. A value that does not fit its column is kept in _raw, NULL in the column,
// and named in _shape_errors: an unexpected shape never drops a record.
import { createHash } from 'crypto';
import type { ColumnSpec, ResourceConfig } from '../config/source-config-types';

export interface RowMeta {
  syncedAt: number;
  runId: string;
  partition: string;
}

/**
 * 48 bits of SHA-1 over the record and the resource's column layout (a JS number holds them exactly):
 * a record is "unchanged" only if it and the columns it fills are the same as when it was written.
 */
export function contentHash(raw: string, resource: ResourceConfig): number {
  return createHash('sha1')
    .update(JSON.stringify(resource.columns))
    .update('\n')
    .update(raw)
    .digest()
    .readUIntBE(0, 6);
}

export type Row = Record<string, unknown>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// ISO 8601 with an explicit zone; the API sends UTC with Z.
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const INT64_SAFE = Number.MAX_SAFE_INTEGER;

/** Date.parse rolls 2024-02-30 over to March 1st; a real calendar day survives the round trip. */
function isCalendarDay(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** The column value for `value`, or `undefined` when it does not fit the column's kind. */
export function toColumnValue(value: unknown, spec: ColumnSpec): unknown {
  if (value === null || value === undefined) return null;
  switch (spec.kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT64_SAFE
        ? value
        : undefined;
    case 'float':
      return typeof value === 'number' && isFinite(value) ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'bool':
      return typeof value === 'boolean' ? (value ? 1 : 0) : undefined;
    case 'date':
      return typeof value === 'string' && DATE.test(value) && isCalendarDay(value) ? value : undefined;
    case 'datetime': {
      if (typeof value !== 'string' || !DATETIME.test(value) || !isCalendarDay(value)) return undefined;
      const ms = Date.parse(value);
      // Unix seconds: unambiguous whatever the server's time zone.
      return isNaN(ms) ? undefined : Math.floor(ms / 1000);
    }
  }
}

/** The empty value a non-nullable column takes when the record lacks a usable value. */
function emptyValue(spec: ColumnSpec): unknown {
  switch (spec.kind) {
    case 'string':
    case 'date':
      return spec.kind === 'date' ? '1970-01-01' : '';
    default:
      return 0;
  }
}

export type MappedRecord = { ok: true; row: Row } | { ok: false; reason: string };

export function recordToRow(record: unknown, resource: ResourceConfig, meta: RowMeta): MappedRecord {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { ok: false, reason: `record is not an object: ${typeof record}` };
  }
  const rec = record as Record<string, unknown>;
  const pk = rec[resource.primary_key];
  if (typeof pk !== 'number' || !Number.isInteger(pk) || pk < 0) {
    return {
      ok: false,
      reason: `primary key "${resource.primary_key}" is missing or not a non-negative integer`,
    };
  }
  const row: Row = {};
  const shapeErrors: string[] = [];
  for (const [name, spec] of Object.entries(resource.columns)) {
    const value = toColumnValue(rec[name], spec);
    if (value === undefined || (value === null && !spec.nullable)) shapeErrors.push(name);
    const usable = value === undefined ? null : value;
    row[name] = usable === null && !spec.nullable ? emptyValue(spec) : usable;
  }
  row._raw = JSON.stringify(record);
  row._hash = contentHash(row._raw as string, resource);
  row._version = 0; // set when the write is decided (clickhouse/merge-order.ts)
  row._synced_at = Math.floor(meta.syncedAt / 1000);
  row._run_id = meta.runId;
  row._partition = meta.partition;
  row._is_deleted = 0;
  row._shape_errors = shapeErrors;
  return { ok: true, row };
}
