// Turns rows read back from ClickHouse into the API's record shape, so a synced table can be compared
// with the API server's data field for field.
import type { ResourceConfig } from '../../config/source-config-types';

/** '2024-01-31 12:00:00' (a UTC DateTime as ClickHouse prints it) → '2024-01-31T12:00:00Z'. */
function isoFromClickHouse(value: string): string {
  return `${value.replace(' ', 'T')}Z`;
}

export function rowToApiShape(
  row: Record<string, unknown>,
  resource: ResourceConfig,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(resource.columns)) {
    const v = row[name];
    if (v === null || v === undefined) out[name] = null;
    else if (spec.kind === 'bool') out[name] = v === 1 || v === '1';
    else if (spec.kind === 'datetime') out[name] = isoFromClickHouse(v as string);
    else if (spec.kind === 'int' || spec.kind === 'float') out[name] = Number(v);
    else out[name] = v;
  }
  return out;
}

/** The record as the table's typed columns should hold it: configured fields only, missing → null. */
export function recordToExpected(record: object, resource: ResourceConfig): Record<string, unknown> {
  const rec = record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(resource.columns)) out[name] = rec[name] ?? null;
  return out;
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

function nearlyEqual(a: unknown, b: unknown): boolean {
  return (
    typeof a === 'number' &&
    typeof b === 'number' &&
    Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b))
  );
}

/** Compares rows of `<resource>_current` with the source's records, field for field. */
export function diffRows(
  stored: Record<string, unknown>[],
  records: { id: number }[],
  resource: ResourceConfig,
  debug = false,
): Diff {
  const expected = new Map(records.map((r) => [r.id, recordToExpected(r, resource)]));
  const seen = new Map<number, number>();
  const diff: Diff = { lost: 0, extra: 0, duplicated: 0, different: 0, floatUlp: 0 };
  for (const row of stored) {
    const id = Number(row.id);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const want = expected.get(id);
    if (!want) diff.extra++;
    else {
      const got = rowToApiShape(row, resource);
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
