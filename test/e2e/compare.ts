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
