// The stored states a read compares its records with: loaded once per read (its window, or the
// table) rather than per page, and never a reason to skip a write that was needed.
import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { connectClickHouse } from '../../clickhouse/connection';
import { recordToRow } from '../../clickhouse/row-mapping';
import { ensureDatabase, ensureResourceTable } from '../../clickhouse/schema';
import { storedStates } from '../../clickhouse/stored-state-cache';
import { insertRows, writeObservedRows } from '../../clickhouse/writer';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { clickHouseSettings, readEnv, resolveVariables } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import type { ReadTarget } from '../../domain/types';
import { rows } from './harness';

describe('stored states of a read, loaded once', function () {
  this.timeout(60_000);
  const db = `clockodo_states_${randomBytes(4).toString('hex')}`;
  let ch: ClickHouseClient;
  let entries: ResourceConfig;
  const march: ReadTarget = { window: { since: '2025-03-01T00:00:00Z', until: '2025-03-31T23:59:59Z' } };

  const entry = (id: number, text: string, since: string, lastChange = '2025-04-01T10:00:00Z') => ({
    id,
    customers_id: 1,
    projects_id: null,
    users_id: 7,
    billable: 1,
    texts_id: null,
    text,
    time_since: since,
    time_until: since.replace('T08', 'T09'),
    time_insert: since,
    time_last_change: lastChange,
    type: 2,
    services_id: 3,
    lumpsum: 10,
  });
  const row = (record: object, at: number) => {
    const mapped = recordToRow(record, entries, { syncedAt: at, syncId: 'test', partition: '' });
    assert.ok(mapped.ok);
    return { ...mapped.row, _version: at };
  };
  const observe = (records: object[], at: number, readId: string, target: ReadTarget) =>
    writeObservedRows(
      ch,
      db,
      entries,
      records.map((r) => row(r, at)),
      at,
      { readId, target },
    );
  const states = (readId: string, target: ReadTarget, ids: number[], maxCachedRows?: number) =>
    storedStates({
      ch,
      db,
      resource: entries,
      cursorColumn: 'time_last_change',
      readId,
      target,
      ids,
      maxCachedRows,
    });

  before(async () => {
    const vars = resolveVariables(readEnv());
    ch = connectClickHouse(clickHouseSettings(vars));
    const e = syncInputFromSettings(vars, parseSyncArgs([])).config.resources.find(
      (r) => r.name === 'entries',
    );
    assert.ok(e);
    entries = e;
    await ensureDatabase(ch, db);
    await ensureResourceTable(ch, db, entries);
    // Two entries in March, one in May (outside the window read below).
    await insertRows(ch, db, 'entries', [
      row(entry(1, 'one', '2025-03-03T08:00:00Z'), 1_000),
      row(entry(2, 'two', '2025-03-20T08:00:00Z'), 1_000),
      row(entry(3, 'three', '2025-05-05T08:00:00Z'), 1_000),
    ]);
  });
  after(async () => {
    await ch?.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    await ch?.close();
  });

  it('holds the window read once, and the rows this worker wrote for the read since', async () => {
    assert.deepEqual([...(await states('read-a', march, [1, 2, 3])).keys()].sort(), [1, 2]);
    // Written by someone else after the load: not in this read's states (it was loaded once).
    await insertRows(ch, db, 'entries', [row(entry(4, 'four', '2025-03-10T08:00:00Z'), 1_000)]);
    assert.deepEqual([...(await states('read-a', march, [4])).keys()], []);
    // Written through this read: seen by its later pages and retries, which then write nothing.
    const first = await observe([entry(5, 'five', '2025-03-11T08:00:00Z')], 2_000, 'read-a', march);
    const retry = await observe([entry(5, 'five', '2025-03-11T08:00:00Z')], 2_100, 'read-a', march);
    assert.deepEqual([first.write.length, retry.write.length, retry.unchanged], [1, 0, 1]);
    // Another read loads anew.
    assert.deepEqual([...(await states('read-b', march, [1, 2, 4, 5])).keys()].sort(), [1, 2, 4, 5]);
  });

  it('writes a record stored outside the window (it moved), and the newer state wins', async () => {
    const moved = await observe(
      [entry(3, 'three, moved to March', '2025-03-25T08:00:00Z', '2025-06-01T10:00:00Z')],
      3_000,
      'read-c',
      march,
    );
    assert.equal(moved.write.length, 1);
    const [stored] = await rows<{ text: string; time_since: string }>(
      ch,
      `SELECT text, time_since FROM ${db}.entries_current WHERE id = 3`,
    );
    assert.deepEqual(stored, { text: 'three, moved to March', time_since: '2025-03-25 08:00:00' });
  });

  it('looks up page by page when the scope holds more rows than it keeps', async () => {
    const found = await states('read-d', {}, [1, 2, 3, 4, 5], 2);
    assert.deepEqual([...found.keys()].sort(), [1, 2, 3, 4, 5]);
    // Not kept: a row written later by anyone is found on the next page.
    await insertRows(ch, db, 'entries', [row(entry(6, 'six', '2025-07-01T08:00:00Z'), 1_000)]);
    assert.deepEqual([...(await states('read-d', {}, [6], 2)).keys()], [6]);
  });

  it('turns to lookups page by page once its own writes grow a read past what it keeps', async () => {
    // Six rows stored, seven kept at most: the table is loaded and kept.
    assert.equal((await states('read-e', {}, [1, 2, 3, 4, 5, 6], 7)).size, 6);
    await insertRows(ch, db, 'entries', [row(entry(7, 'seven', '2025-07-02T08:00:00Z'), 1_000)]);
    assert.equal((await states('read-e', {}, [7], 7)).size, 0, 'kept: a later row is not in it');
    // Two rows written through the read: eight states, one more than it keeps.
    await observe(
      [entry(8, 'eight', '2025-07-03T08:00:00Z'), entry(9, 'nine', '2025-07-04T08:00:00Z')],
      4_000,
      'read-e',
      {},
    );
    // Now looked up: the row written by someone else is found.
    assert.deepEqual([...(await states('read-e', {}, [7, 8, 9], 7)).keys()].sort(), [7, 8, 9]);
  });
});
