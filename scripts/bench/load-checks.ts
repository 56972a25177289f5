// Whether a load is right: counts per resource against the server's, and (for the pipeline's first
// runs) every row of `<resource>_current` field for field against the server's records.
import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from '../../clickhouse/sql';
import { currentViewName } from '../../domain/table-names';
import type { ResourceConfig } from '../../domain/source-config';
import { Diff, diffRows, toServed } from '../../test/e2e/compare';
import type { Control } from './api-control';

const noDiff = (): Diff => ({ lost: 0, extra: 0, duplicated: 0, different: 0, floatUlp: 0 });
const addDiff = (a: Diff, b: Diff): Diff => ({
  lost: a.lost + b.lost,
  extra: a.extra + b.extra,
  duplicated: a.duplicated + b.duplicated,
  different: a.different + b.different,
  floatUlp: a.floatUlp + b.floatUlp,
});
const CHUNK = 100_000;

/** `<resource>_current` against the server's records, field for field, in slices of ids. */
export async function checkFields(
  ch: ClickHouseClient,
  db: string,
  resources: ResourceConfig[],
  api: Control,
): Promise<Diff> {
  let diff = noDiff();
  for (const resource of resources) {
    let offset = 0;
    let matched = 0;
    for (;;) {
      const { records } = await api.records(resource.name, offset, CHUNK);
      if (records.length === 0) {
        // Rows outside every slice's id range are extra too.
        const rs = await ch.query({
          query: `SELECT count() AS n FROM ${qualified(db, currentViewName(resource))}`,
          format: 'JSONEachRow',
        });
        const [{ n }] = await rs.json<{ n: string }>();
        diff.extra += Math.max(0, Number(n) - matched);
        break;
      }
      const first = records[0].id;
      const last = records[records.length - 1].id;
      const rs = await ch.query({
        query: `SELECT * FROM ${qualified(db, currentViewName(resource))} WHERE id >= ${first} AND id <= ${last}`,
        format: 'JSONEachRow',
      });
      const stored = await rs.json<Record<string, unknown>>();
      const d = diffRows(
        stored,
        records.map((r) => toServed(r, resource)),
        resource,
      );
      matched += stored.length;
      diff = addDiff(diff, d);
      offset += records.length;
    }
  }
  return diff;
}

/** One figure per resource: what `sqlFor(resource)` answers as `n`. */
export async function countsPerResource(
  ch: ClickHouseClient,
  resources: string[],
  sqlFor: (resource: string) => string,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of resources) {
    const rs = await ch.query({ query: sqlFor(r), format: 'JSONEachRow' });
    out[r] = Number((await rs.json<{ n: string }>())[0].n);
  }
  return out;
}

export function checkCounts(what: string, got: Record<string, number>, want: Record<string, number>): void {
  for (const r of Object.keys(want)) {
    if (got[r] !== want[r]) throw new Error(`${what}: ${r} has ${got[r]} rows, the server serves ${want[r]}`);
  }
}

export function checkDiff(what: string, d: Diff): void {
  if (d.lost || d.extra || d.duplicated || d.different) {
    throw new Error(`${what}: not exact: ${JSON.stringify(d)}`);
  }
}
