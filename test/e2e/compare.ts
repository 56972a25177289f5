// Turns rows read back from ClickHouse into the API's record shape, so a synced table can be compared
// with the API server's data field for field.
import { servedByPartition } from '../../api-server/served';
import type { Dataset } from '../../api-server/types';
import type { ColumnKind, ResourceConfig } from '../../domain/source-config';

/** '2024-01-31 12:00:00' (a UTC DateTime as ClickHouse prints it) → '2024-01-31T12:00:00Z'. */
function isoFromClickHouse(value: string): string {
  return `${value.replace(' ', 'T')}Z`;
}

/** One value read back from a column of `kind`, in the API's shape. */
function valueToApiShape(v: unknown, kind: ColumnKind): unknown {
  if (v === null || v === undefined) return null;
  if (kind === 'bool') return v === 1 || v === '1';
  if (kind === 'datetime') return isoFromClickHouse(v as string);
  if (kind === 'int' || kind === 'float') return Number(v);
  return v;
}

export function rowToApiShape(
  row: Record<string, unknown>,
  resource: ResourceConfig,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(resource.columns)) {
    const v = row[name];
    out[name] = Array.isArray(v)
      ? v.map((x) => valueToApiShape(x, spec.kind))
      : valueToApiShape(v, spec.kind);
  }
  return out;
}

/** A value as a column of `kind` holds it, in the API's shape: the docs' 0 and 1 flags are booleans. */
function expectedValue(v: unknown, kind: ColumnKind): unknown {
  if (v === undefined || v === null) return null;
  return kind === 'bool' && (v === 0 || v === 1) ? v === 1 : v;
}

/**
 * The record as the table's typed columns should hold it: configured fields only (a nested field from
 * its object, a list's field from each element), missing → null, a missing list → [].
 */
export function recordToExpected(record: object, resource: ResourceConfig): Record<string, unknown> {
  const rec = record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(resource.columns)) {
    const nested = spec.nested;
    if (!nested) {
      const v = rec[name];
      out[name] = spec.array
        ? ((v as unknown[] | null | undefined) ?? []).map((x) => expectedValue(x, spec.kind))
        : expectedValue(v, spec.kind);
    } else if (nested.via === 'object') {
      const parent = rec[nested.parent] as Record<string, unknown> | null | undefined;
      out[name] = expectedValue(parent?.[nested.field], spec.kind);
    } else {
      const list = (rec[nested.parent] as Record<string, unknown>[] | null | undefined) ?? [];
      out[name] = list.map((e) => expectedValue(e[nested.field], spec.kind));
    }
  }
  return out;
}

/** A record (or a row in the API's shape) identified as the resource's primary key says. */
export function keyOf(record: Record<string, unknown>, resource: ResourceConfig): string {
  return JSON.stringify(resource.primary_key.map((f) => record[f] ?? null));
}

/** A record the server serves, with what the resource's table should hold for it. */
export interface Served {
  key: string;
  /** The record as the API sends it (what `_raw` holds). */
  raw: object;
  /** The typed columns' values, in the API's shape. */
  expected: Record<string, unknown>;
}

/**
 * What a resource's table should hold, from the local API server's dataset: every record the route
 * `resource.endpoint.path` serves, rendered as that route sends it (api-server/served.ts: e.g. no id on the
 * docs-era carry routes, the docs or the SDK shape of a nonbusiness day). A list the Dataset keeps per
 * partition value (per year: user reports, nonbusiness days) fills the partition router's record_field
 * when its rows lack it. The endpoint's fixed params (filters) are not applied.
 */
export function servedRecords(dataset: object, resource: ResourceConfig): Served[] {
  return servedByPartition(dataset as Dataset, resource.endpoint.path).flatMap(([partition, records]) =>
    records.map((raw) => toServed(raw, resource, partition)),
  );
}

/** A served record (read under `partition`, if any) with its key and expected columns. */
export function toServed(raw: object, resource: ResourceConfig, partition?: string): Served {
  const rec = { ...(raw as Record<string, unknown>) };
  const recordField = resource.endpoint.partition_router?.record_field;
  if (recordField && partition !== undefined && (rec[recordField] === undefined || rec[recordField] === null))
    rec[recordField] = Number(partition);
  return { key: keyOf(rec, resource), raw, expected: recordToExpected(rec, resource) };
}

/** How stored rows differ from the source's records, counted (a check, not an assertion). */
export interface Diff {
  lost: number;
  extra: number;
  duplicated: number;
  different: number;
  /** Rows whose only differences are floats one unit in the last place apart. */
  floatUlp: number;
}

/** Floats one unit in the last place apart (ClickHouse 18.16 parses some decimals so), or equal. */
export function nearlyEqual(a: unknown, b: unknown): boolean {
  return (
    typeof a === 'number' &&
    typeof b === 'number' &&
    Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b))
  );
}

/** Compares rows of `<resource>_current` with the source's records, field for field. */
export function diffRows(
  stored: Record<string, unknown>[],
  served: Served[],
  resource: ResourceConfig,
  debug = false,
): Diff {
  const expected = new Map(served.map((r) => [r.key, r.expected]));
  const seen = new Map<string, number>();
  const diff: Diff = { lost: 0, extra: 0, duplicated: 0, different: 0, floatUlp: 0 };
  for (const row of stored) {
    const got = rowToApiShape(row, resource);
    const id = keyOf(got, resource);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const want = expected.get(id);
    if (!want) diff.extra++;
    else {
      const fields = Object.keys(want).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k]));
      // ClickHouse 18.16 parses some decimals one unit in the last place off (6.94 → 6.9399999999999995).
      if (fields.length > 0 && fields.every((k) => nearlyEqual(got[k], want[k]))) diff.floatUlp++;
      else if (fields.length > 0) {
        diff.different++;
        if (debug) console.log(resource.name, id, fields, got, want);
      }
    }
  }
  for (const id of expected.keys()) if (!seen.has(id)) diff.lost++;
  for (const n of seen.values()) if (n > 1) diff.duplicated += n - 1;
  return diff;
}
