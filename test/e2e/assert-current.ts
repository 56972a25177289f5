// The check most end-to-end tests end with: a resource's `_current` view holds exactly what the local
// API server serves, record for record and field for field, one row per key.
import { strict as assert } from 'assert';
import type { ResourceConfig } from '../../domain/source-config';
import { keyOf, nearlyEqual, rowToApiShape, servedRecords } from './compare';
import { Harness, rows } from './harness';

export async function assertCurrentEqualsApi(h: Harness, resource: ResourceConfig): Promise<void> {
  const name = resource.name;
  const stored = await rows(h.ch, `SELECT * FROM ${h.database}.${name}_current`);
  const served = new Map(servedRecords(h.api.dataset, resource).map((s) => [s.key, s]));
  const got = stored.map((row) => ({ row, api: rowToApiShape(row, resource) }));
  assert.deepEqual(
    got.map((g) => keyOf(g.api, resource)).sort(),
    [...served.keys()].sort(),
    `${name}: the same records as the API`,
  );
  for (const { row, api } of got) {
    const key = keyOf(api, resource);
    const want = served.get(key);
    assert.ok(want, `${name} ${key}`);
    // ClickHouse 18.16 parses some decimals one unit in the last place off (5.56 → 5.5600000000000005).
    const fields = Object.fromEntries(
      Object.entries(api).map(([k, v]) => [k, nearlyEqual(v, want.expected[k]) ? want.expected[k] : v]),
    );
    assert.deepEqual(fields, want.expected, `${name} ${key}`);
    assert.deepEqual(JSON.parse(row._raw as string), want.raw, `${name} ${key}: raw record`);
  }
  const [dup] = await rows<{ n: number; keys: number }>(
    h.ch,
    `SELECT count() AS n, uniqExact(${resource.key_column}) AS keys FROM ${h.database}.${name} FINAL`,
  );
  assert.equal(Number(dup.n), Number(dup.keys), `${name}: one row per key`);
}
