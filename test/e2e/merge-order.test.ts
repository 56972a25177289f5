// Merge order against the real ClickHouse: whatever order observations of a record are written in
// (pages finishing out of order, a retried page, a worker whose clock runs behind, a deletion decided
// between two reads), ReplacingMergeTree keeps the newest state of the source, before and after
// ClickHouse merges the parts.
import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { connectClickHouse } from '../../clickhouse/connection';
import { writeDeletionMarkers } from '../../clickhouse/deletions';
import { recordToRow } from '../../clickhouse/row-mapping';
import { ensureDatabase, ensureResourceTable } from '../../clickhouse/schema';
import { ensureSyncStateTables } from '../../clickhouse/sync-state';
import { writeObservedRows } from '../../clickhouse/writer';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { clickHouseSettings, readEnv, resolveVariables } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import { rows } from './harness';

describe('merge order under out-of-order completion', function () {
  this.timeout(60_000);
  const db = `clockodo_merge_${randomBytes(4).toString('hex')}`;
  let ch: ClickHouseClient;
  let entries: ResourceConfig;
  let customers: ResourceConfig;

  const entry = (text: string, lastChange: string) => ({
    id: 42,
    customers_id: 1,
    projects_id: null,
    users_id: 7,
    billable: 1,
    texts_id: null,
    text,
    time_since: '2025-03-03T08:00:00Z',
    time_until: '2025-03-03T09:00:00Z',
    time_insert: '2025-03-03T09:00:00Z',
    time_last_change: lastChange,
    type: 2,
    services_id: 3,
    lumpsum: 10,
  });
  const customer = (name: string) => ({
    id: 5,
    name,
    number: null,
    active: true,
    billable_default: true,
    note: null,
    color: 1,
  });

  let reads = 0;
  /** Writes `record` as if its page had arrived at `observedMs`. */
  const observe = (resource: ResourceConfig, record: object, observedMs: number) => {
    const mapped = recordToRow(record, resource, { syncedAt: observedMs, syncId: 'test', partition: '' });
    assert.ok(mapped.ok);
    // Each observation is a read of its own (a page of another run): it sees what is stored now.
    // The cursor column (time_last_change, for entries) orders states: see cursorColumnOf.
    return writeObservedRows(ch, db, resource, [mapped.row], observedMs, {
      readId: `test|${resource.name}|${++reads}`,
      target: {},
    });
  };
  const current = async (table: string) =>
    rows<{ text?: string; name?: string; _version: number }>(ch, `SELECT * FROM ${db}.${table}_current`);
  const stored = async (table: string) =>
    (await rows<{ n: number }>(ch, `SELECT count() AS n FROM ${db}.${table}`))[0].n;

  before(async () => {
    const vars = resolveVariables(readEnv());
    ch = connectClickHouse(clickHouseSettings(vars));
    const config = syncInputFromSettings(vars, parseSyncArgs([])).config;
    const find = (name: string) => config.resources.find((r) => r.name === name);
    const e = find('entries');
    const c = find('customers');
    assert.ok(e && c);
    entries = e;
    customers = c;
    await ensureDatabase(ch, db);
    for (const r of [entries, customers]) await ensureResourceTable(ch, db, r);
    await ensureSyncStateTables(ch, db);
  });
  after(async () => {
    await ch?.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    await ch?.close();
  });

  it('a page observed earlier but written later does not overwrite the newer state', async () => {
    const newer = await observe(customers, customer('Newer GmbH'), 2_000);
    const older = await observe(customers, customer('Older GmbH'), 1_000);
    assert.deepEqual([newer.write.length, older.write.length, older.stale], [1, 0, 1]);
    assert.deepEqual(
      (await current('customers')).map((r) => r.name),
      ['Newer GmbH'],
    );
  });

  it("the source's change time wins over a worker clock that runs behind or ahead", async () => {
    await observe(entries, entry('second edit', '2025-03-05T10:00:00Z'), 2_000);
    // Observed "later" by a clock that runs ahead, but an older state of the source: stale.
    const behind = await observe(entries, entry('first edit', '2025-03-04T10:00:00Z'), 9_000);
    assert.equal(behind.stale, 1);
    assert.deepEqual(
      (await current('entries')).map((r) => r.text),
      ['second edit'],
    );
    // Observed "earlier" by a clock that runs behind, but a newer state: written above the stored one.
    const ahead = await observe(entries, entry('third edit', '2025-03-06T10:00:00Z'), 1_500);
    assert.equal(ahead.write.length, 1);
    const [row] = await current('entries');
    assert.equal(row.text, 'third edit');
    assert.equal(row._version, 2_001);
  });

  it('a retried page writes nothing twice', async () => {
    const before = await stored('entries');
    const retry = await observe(entries, entry('third edit', '2025-03-06T10:00:00Z'), 3_000);
    assert.deepEqual([retry.write.length, retry.unchanged], [0, 1]);
    assert.equal(await stored('entries'), before);
  });

  it('a deletion decided after a read stays; a read after it brings the record back', async () => {
    const target = { db, resource: entries, syncId: 'test', scope: { kind: 'all' as const }, readIds: [] };
    await writeDeletionMarkers(ch, target, 5_000);
    assert.equal((await current('entries')).length, 0);
    const late = await observe(entries, entry('third edit', '2025-03-06T10:00:00Z'), 4_000);
    assert.equal(late.stale, 1, 'observed before the deletion was decided');
    assert.equal((await current('entries')).length, 0);
    const back = await observe(entries, entry('third edit', '2025-03-06T10:00:00Z'), 6_000);
    assert.equal(back.write.length, 1, 'observed after the deletion: the record is back');
    assert.deepEqual(
      (await current('entries')).map((r) => r.text),
      ['third edit'],
    );
  });

  it('ClickHouse keeps the same rows once it merges the parts', async () => {
    for (const t of ['entries', 'customers']) await ch.command({ query: `OPTIMIZE TABLE ${db}.${t} FINAL` });
    const merged = await rows<{ text: string; _is_deleted: number }>(
      ch,
      `SELECT text, _is_deleted FROM ${db}.entries`,
    );
    assert.deepEqual(merged, [{ text: 'third edit', _is_deleted: 0 }]);
    const names = await rows<{ name: string }>(ch, `SELECT name FROM ${db}.customers`);
    assert.deepEqual(names, [{ name: 'Newer GmbH' }]);
  });
});
