// From an API record to a table row: typed columns named as the API names the fields, plus the
// record itself as JSON. A value that does not fit its column is kept in _raw, NULL in the column,
// and named in _shape_errors: an unexpected shape never drops a record.
import { createHash } from 'crypto';
import type { ColumnSpec, NestedPath, ResourceConfig } from '../domain/source-config';
import { COMPOSITE_KEY_COLUMN } from '../domain/record-key';

export interface RowMeta {
  syncedAt: number;
  syncId: string;
  partition: string;
  /** The partition value read (a year), for a partition router's record_field. */
  partitionValue?: string;
}

/**
 * 48 bits of SHA-1 over the record and the resource's column layout (a JS number holds them exactly):
 * a record is "unchanged" only if it and the columns it fills are the same as when it was written.
 */
export function contentHash(raw: string, resource: ResourceConfig): number {
  return layoutOf(resource).hashPrefix.copy().update(raw).digest().readUIntBE(0, 6);
}

/** What every row of a resource shares, worked out once per resource object instead of per row. */
interface Layout {
  columns: [string, ColumnSpec][];
  /** The column a partition router fills from the partition value when the record lacks it. */
  partitionField?: string;
  /** The key's fields, when there are several (hashed into the key column). */
  compositeKey?: string[];
  /** SHA-1 state after the column layout and the newline: each row's hash continues a copy of it. */
  hashPrefix: ReturnType<typeof createHash>;
}
const layouts = new WeakMap<ResourceConfig, Layout>();

function layoutOf(resource: ResourceConfig): Layout {
  let layout = layouts.get(resource);
  if (!layout) {
    layout = {
      columns: Object.entries(resource.columns),
      partitionField: resource.endpoint.partition_router?.record_field,
      compositeKey: resource.key_column === COMPOSITE_KEY_COLUMN ? resource.primary_key : undefined,
      hashPrefix: createHash('sha1').update(JSON.stringify(resource.columns)).update('\n'),
    };
    layouts.set(resource, layout);
  }
  return layout;
}

export type Row = Record<string, unknown>;

/**
 * The key of a record identified by several fields: 52 bits of SHA-1 over their column values (a JS
 * number holds them exactly). One collision among a million keys has odds of about 1 in 10^4; these
 * resources hold thousands.
 */
export function compositeKey(values: unknown[]): number {
  const digest = createHash('sha1').update(JSON.stringify(values)).digest();
  return digest.readUIntBE(0, 6) * 16 + (digest[6] >> 4);
}

/** A partition value (always text, e.g. "2025") as the column it fills expects it. */
function partitionFieldValue(value: string, spec: ColumnSpec): unknown {
  return (spec.kind === 'int' || spec.kind === 'float') && /^-?\d+(\.\d+)?$/.test(value)
    ? Number(value)
    : value;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// ISO 8601 with an explicit zone; the API sends UTC with Z.
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const INT64_SAFE = Number.MAX_SAFE_INTEGER;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digits = (text: string, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
};

/** Date.parse rolls 2024-02-30 over to March 1st: the day must exist in its month (text matched DATE). */
function isCalendarDay(text: string): boolean {
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]);
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
      // Clockodo's docs give some flags as the integers 0 and 1 (a nonbusiness day's half_day).
      if (value === 0 || value === 1) return value;
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

/** A field of a nested object (undefined when the object is absent or null; a shape error when not an object). */
function nestedField(
  rec: Record<string, unknown>,
  path: NestedPath,
  name: string,
  errors: string[],
): unknown {
  const parent = rec[path.parent];
  if (parent === undefined || parent === null) return undefined;
  if (typeof parent !== 'object' || Array.isArray(parent)) {
    errors.push(name);
    return undefined;
  }
  return (parent as Record<string, unknown>)[path.field];
}

/**
 * An Array column's value: one value per element of the record's list (a field of each element, for a
 * nested list). Every column of one nested list has one value per element, so they line up for ARRAY
 * JOIN: an element value that does not fit takes null (or the empty value) and names the column in
 * _shape_errors. An absent or null list is empty.
 */
function listColumnValue(
  rec: Record<string, unknown>,
  name: string,
  spec: ColumnSpec,
  errors: string[],
): unknown[] {
  const list = rec[spec.nested ? spec.nested.parent : name];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    errors.push(name);
    return [];
  }
  let bad = false;
  const values = list.map((element: unknown) => {
    let field: unknown = element;
    if (spec.nested) {
      const ok = element !== null && typeof element === 'object' && !Array.isArray(element);
      field = ok ? (element as Record<string, unknown>)[spec.nested.field] : undefined;
      if (!ok) bad = true;
    }
    const value = toColumnValue(field, spec);
    if (value === undefined || (value === null && !spec.nullable)) {
      bad = true;
      return spec.nullable ? null : emptyValue(spec);
    }
    return value;
  });
  if (bad) errors.push(name);
  return values;
}

export type MappedRecord = { ok: true; row: Row } | { ok: false; reason: string };

export function recordToRow(record: unknown, resource: ResourceConfig, meta: RowMeta): MappedRecord {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { ok: false, reason: `record is not an object: ${typeof record}` };
  }
  const rec = record as Record<string, unknown>;
  const layout = layoutOf(resource);
  const row: Row = {};
  if (layout.compositeKey) {
    row[COMPOSITE_KEY_COLUMN] = 0; // first, as in the table; set below
  } else {
    const pk = rec[resource.key_column];
    if (typeof pk !== 'number' || !Number.isInteger(pk) || pk < 0) {
      return {
        ok: false,
        reason: `primary key "${resource.key_column}" is missing or not a non-negative integer`,
      };
    }
  }
  const shapeErrors: string[] = [];
  for (const [name, spec] of layout.columns) {
    if (spec.nested?.via === 'list' || spec.array) {
      row[name] = listColumnValue(rec, name, spec, shapeErrors);
      continue;
    }
    let field = spec.nested ? nestedField(rec, spec.nested, name, shapeErrors) : rec[name];
    if (
      (field === undefined || field === null) &&
      name === layout.partitionField &&
      meta.partitionValue !== undefined
    )
      field = partitionFieldValue(meta.partitionValue, spec);
    const value = toColumnValue(field, spec);
    if (value === undefined || (value === null && !spec.nullable)) shapeErrors.push(name);
    const usable = value === undefined ? null : value;
    row[name] = usable === null && !spec.nullable ? emptyValue(spec) : usable;
  }
  if (layout.compositeKey) {
    const bad = layout.compositeKey.filter((f) => shapeErrors.includes(f));
    if (bad.length) {
      return {
        ok: false,
        reason: `key field${bad.length > 1 ? 's' : ''} ${bad.map((f) => `"${f}"`).join(', ')} missing or of the wrong type`,
      };
    }
    row[COMPOSITE_KEY_COLUMN] = compositeKey(layout.compositeKey.map((f) => row[f]));
  }
  row._raw = JSON.stringify(record);
  row._hash = contentHash(row._raw as string, resource);
  row._version = 0; // set when the write is decided (clickhouse/merge-order.ts)
  row._synced_at = Math.floor(meta.syncedAt / 1000);
  row._run_id = meta.syncId;
  row._partition = meta.partition;
  row._is_deleted = 0;
  row._shape_errors = shapeErrors;
  return { ok: true, row };
}
