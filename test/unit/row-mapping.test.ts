// From API records to table rows, with the resources of the validated default configuration, so the
// tests follow the columns the seed really declares.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { contentHash, recordToRow, Row, RowMeta, toColumnValue } from '../../clickhouse/row-mapping';
import { PROJECT_ROOT, resolveVariables } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import { validateSourceConfig } from '../../config/validate-source-config';

const raw: unknown = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
);
const config = validateSourceConfig(raw, resolveVariables({}, new Date('2025-06-15T00:00:00Z')));
const resource = (name: string): ResourceConfig => {
  const r = config.resources.find((x) => x.name === name);
  assert.ok(r, name);
  return r;
};
const entries = resource('entries');
const projects = resource('projects');

const META: RowMeta = {
  syncedAt: 1750000000999,
  syncId: 'clockodo-sync-2025-06-15',
  partition: '2025-01-01T00:00:00Z..2025-04-02T23:59:59Z',
};

const ENTRY = {
  id: 42,
  customers_id: 7,
  projects_id: null,
  users_id: 3,
  billable: 1,
  texts_id: 11,
  text: 'Planning meeting',
  time_since: '2024-01-01T00:00:00Z',
  time_until: '2024-01-01T01:30:00Z',
  time_insert: '2024-01-01T01:30:05Z',
  time_last_change: '2024-01-02T08:00:00+02:00',
  type: 1,
  services_id: 5,
  duration: 5400,
  offset: 0,
  clocked: false,
  clocked_offline: true,
  time_clocked_since: null,
  time_last_change_work_time: '2024-01-02T06:00:00Z',
  hourly_rate: 95.5,
  lumpsum: null,
  lumpsum_services_id: null,
  lumpsum_services_amount: null,
};

const PROJECT = {
  id: 9,
  customers_id: 7,
  name: 'Website relaunch',
  number: 'P-2024-01',
  active: true,
  billable_default: false,
  note: null,
  budget_money: 12000,
  budget_is_hours: false,
  budget_is_not_strict: true,
  completed: false,
  billed_money: 0,
  billed_completely: false,
  revenue_factor: 1.25,
  deadline: '2024-12-31',
};

/** The row of a record that must be accepted. */
function rowOf(record: unknown, r: ResourceConfig = entries, meta: RowMeta = META): Row {
  const mapped = recordToRow(record, r, meta);
  assert.ok(mapped.ok, `rejected: ${mapped.ok ? '' : mapped.reason}`);
  return mapped.row;
}

function rejection(record: unknown, r: ResourceConfig = entries): string {
  const mapped = recordToRow(record, r, META);
  assert.equal(mapped.ok, false, 'the record was accepted');
  return mapped.ok ? '' : mapped.reason;
}

describe('recordToRow', () => {
  it('copies typed values as the API sends them', () => {
    const row = rowOf(ENTRY);
    assert.equal(row.id, 42);
    assert.equal(row.customers_id, 7);
    assert.equal(row.billable, 1);
    assert.equal(row.text, 'Planning meeting');
    assert.equal(row.duration, 5400);
    assert.equal(row.offset, 0);
    assert.equal(row.hourly_rate, 95.5);
    assert.deepEqual(row._shape_errors, []);
  });

  it('has exactly the configured columns plus the bookkeeping ones', () => {
    const row = rowOf(ENTRY);
    const bookkeeping = [
      '_raw',
      '_hash',
      '_version',
      '_synced_at',
      '_run_id',
      '_partition',
      '_is_deleted',
      '_shape_errors',
    ];
    assert.deepEqual(Object.keys(row).sort(), [...Object.keys(entries.columns), ...bookkeeping].sort());
  });

  it('turns booleans into 1 and 0', () => {
    const row = rowOf(ENTRY);
    assert.equal(row.clocked, 0);
    assert.equal(row.clocked_offline, 1);
    const p = rowOf(PROJECT, projects);
    assert.equal(p.active, 1);
    assert.equal(p.billable_default, 0);
    assert.equal(p.budget_is_not_strict, 1);
  });

  it('turns datetimes into unix seconds, honouring the zone', () => {
    const row = rowOf(ENTRY);
    assert.equal(row.time_since, 1704067200);
    assert.equal(row.time_until, 1704067200 + 5400);
    assert.equal(row.time_insert, 1704067200 + 5405);
    // 08:00 at +02:00 is 06:00 UTC.
    assert.equal(row.time_last_change, Date.UTC(2024, 0, 2, 6) / 1000);
    assert.equal(row.time_last_change_work_time, Date.UTC(2024, 0, 2, 6) / 1000);
    // Fractions of a second are dropped, not rounded.
    assert.equal(rowOf({ ...ENTRY, time_since: '2024-01-01T00:00:00.999Z' }).time_since, 1704067200);
  });

  it('keeps dates as YYYY-MM-DD and floats as numbers', () => {
    const p = rowOf(PROJECT, projects);
    assert.equal(p.deadline, '2024-12-31');
    assert.equal(p.revenue_factor, 1.25);
    assert.equal(p.budget_money, 12000);
    assert.equal(p.number, 'P-2024-01');
  });

  it('keeps nulls, and makes missing optional fields null', () => {
    const row = rowOf(ENTRY);
    assert.equal(row.projects_id, null);
    assert.equal(row.time_clocked_since, null);
    assert.equal(row.lumpsum, null);
    const sparse = rowOf({ id: 5 });
    for (const name of Object.keys(entries.columns)) {
      if (name !== 'id') assert.equal(sparse[name], null, name);
    }
    assert.deepEqual(sparse._shape_errors, []);
  });

  it('keeps the record as JSON in _raw, exactly', () => {
    const record = {
      ...ENTRY,
      text: 'Grüße, 日本語, emoji 🎉👩‍💻, "quotes", back\\slash\nnew line\ttab',
      nested: { a: [1, { b: null }] },
    };
    const row = rowOf(record);
    assert.equal(row._raw, JSON.stringify(record));
    assert.deepEqual(JSON.parse(row._raw), record);
    assert.equal(row.text, record.text);
  });

  it('keeps unknown fields in _raw only', () => {
    const record = { ...PROJECT, new_api_field: { x: 1 }, budget: 3 };
    const row = rowOf(record, projects);
    assert.equal(row.new_api_field, undefined);
    assert.deepEqual((JSON.parse(row._raw as string) as Record<string, unknown>).new_api_field, { x: 1 });
    assert.deepEqual(row._shape_errors, []);
  });

  it('stamps the bookkeeping columns', () => {
    const row = rowOf(ENTRY);
    // The version is decided later, against the stored row (clickhouse/merge-order.ts).
    assert.equal(row._version, 0);
    assert.equal(row._hash, contentHash(JSON.stringify(ENTRY), entries));
    // Seconds, rounded down.
    assert.equal(row._synced_at, 1750000000);
    assert.equal(row._run_id, 'clockodo-sync-2025-06-15');
    assert.equal(row._partition, '2025-01-01T00:00:00Z..2025-04-02T23:59:59Z');
    assert.equal(row._is_deleted, 0);
  });

  it('hashes the record and the column layout into 48 bits', () => {
    const hash = rowOf(ENTRY)._hash as number;
    assert.ok(Number.isSafeInteger(hash) && hash >= 0 && hash < 2 ** 48, String(hash));
    // The same record hashes the same whatever the run, page or time it was read in.
    const other = rowOf(ENTRY, entries, { syncedAt: 1, syncId: 'other-run', partition: '' });
    assert.equal(other._hash, hash);
    // Any change of the record changes the hash, even one in a field without a column.
    assert.notEqual(rowOf({ ...ENTRY, text: 'Planning meeting.' })._hash, hash);
    assert.notEqual(rowOf({ ...ENTRY, new_api_field: 1 })._hash, hash);
    // So does a change of the columns the record fills.
    const narrower: ResourceConfig = {
      ...entries,
      columns: { ...entries.columns, text: { kind: 'int', nullable: true } },
    };
    assert.notEqual(rowOf(ENTRY, narrower)._hash, hash);
  });

  it('nulls a wrong-typed value and names it in _shape_errors, keeping the record', () => {
    const record = {
      ...ENTRY,
      duration: '5400',
      clocked: 'yes',
      time_since: '2024-01-01T00:00:00',
      hourly_rate: '95.5',
      text: 12,
    };
    const row = rowOf(record);
    assert.equal(row.duration, null);
    assert.equal(row.clocked, null);
    assert.equal(row.time_since, null);
    assert.equal(row.hourly_rate, null);
    assert.equal(row.text, null);
    assert.deepEqual([...(row._shape_errors as string[])].sort(), [
      'clocked',
      'duration',
      'hourly_rate',
      'text',
      'time_since',
    ]);
    // Fields that fit are still mapped, and the record survives whole in _raw.
    assert.equal(row.time_until, 1704067200 + 5400);
    assert.equal(row._raw, JSON.stringify(record));
  });

  it('flags dates of the wrong shape', () => {
    const p = rowOf({ ...PROJECT, deadline: '31.12.2024' }, projects);
    assert.equal(p.deadline, null);
    assert.deepEqual(p._shape_errors, ['deadline']);
    const q = rowOf({ ...PROJECT, deadline: '2024-12-31T00:00:00Z' }, projects);
    assert.deepEqual(q._shape_errors, ['deadline']);
  });

  it('rejects a record without an id, naming the primary key', () => {
    const { id: _id, ...noId } = ENTRY; // eslint-disable-line @typescript-eslint/no-unused-vars
    assert.match(rejection(noId), /primary key "id"/);
  });

  it('rejects ids that are not non-negative integers', () => {
    for (const id of ['12', 1.5, -1, null, true]) {
      assert.match(
        rejection({ ...ENTRY, id }),
        /primary key "id" is missing or not a non-negative integer/,
        String(id),
      );
    }
  });

  it('rejects records that are not objects', () => {
    assert.match(rejection(null), /not an object/);
    assert.match(rejection([ENTRY]), /not an object/);
    assert.match(rejection('{"id":1}'), /not an object: string/);
    assert.match(rejection(42), /not an object: number/);
  });
});

describe('toColumnValue', () => {
  const col = (kind: 'int' | 'float' | 'string' | 'bool' | 'date' | 'datetime') => ({ kind, nullable: true });

  it('maps null and undefined to null', () => {
    assert.equal(toColumnValue(null, col('int')), null);
    assert.equal(toColumnValue(undefined, col('datetime')), null);
  });

  it('accepts only safe integers in int columns', () => {
    assert.equal(toColumnValue(7, col('int')), 7);
    assert.equal(toColumnValue(-7, col('int')), -7);
    assert.equal(toColumnValue(7.5, col('int')), undefined);
    assert.equal(toColumnValue(2 ** 60, col('int')), undefined);
    assert.equal(toColumnValue('7', col('int')), undefined);
  });

  it('accepts integers in float columns', () => {
    assert.equal(toColumnValue(3, col('float')), 3);
    assert.equal(toColumnValue(Infinity, col('float')), undefined);
  });

  it('reads bools, datetimes with zones and dates', () => {
    assert.equal(toColumnValue(true, col('bool')), 1);
    // The docs give some flags as the integers 0 and 1 (a nonbusiness day's half_day); nothing else.
    assert.equal(toColumnValue(1, col('bool')), 1);
    assert.equal(toColumnValue(0, col('bool')), 0);
    assert.equal(toColumnValue(2, col('bool')), undefined);
    assert.equal(toColumnValue('1', col('bool')), undefined);
    assert.equal(toColumnValue('2024-01-01T00:00:00Z', col('datetime')), 1704067200);
    assert.equal(toColumnValue('2024-01-01T01:00:00+01:00', col('datetime')), 1704067200);
    assert.equal(toColumnValue('2024-01-01T00:00Z', col('datetime')), undefined);
    assert.equal(toColumnValue('2024-13-01T00:00:00Z', col('datetime')), undefined);
    assert.equal(toColumnValue('2024-02-29', col('date')), '2024-02-29');
    assert.equal(toColumnValue('2024-13-01', col('date')), undefined);
  });

  // V8's Date.parse rolls impossible days over (2024-02-30 -> March 1) instead of failing: an isNaN
  // check alone would store them shifted, unflagged.
  it('flags impossible calendar dates', () => {
    assert.equal(toColumnValue('2024-02-30', col('date')), undefined);
    assert.equal(toColumnValue('2023-02-29', col('date')), undefined);
    assert.equal(toColumnValue('2024-04-31T10:00:00Z', col('datetime')), undefined);
    // Leap years by the Gregorian rule, and days and months that do not exist.
    assert.equal(toColumnValue('2000-02-29', col('date')), '2000-02-29');
    assert.equal(toColumnValue('1900-02-29', col('date')), undefined);
    assert.equal(toColumnValue('2024-00-10', col('date')), undefined);
    assert.equal(toColumnValue('2024-01-00', col('date')), undefined);
    assert.equal(toColumnValue('2024-12-31', col('date')), '2024-12-31');
    assert.equal(toColumnValue('2024-12-32', col('date')), undefined);
  });

  it('hashes a record the same for every copy of its resource, and apart for another layout', () => {
    const copy = JSON.parse(JSON.stringify(entries)) as ResourceConfig;
    const raw = JSON.stringify(ENTRY);
    assert.equal(contentHash(raw, copy), contentHash(raw, entries));
    assert.equal(contentHash(raw, entries), contentHash(raw, entries), 'a second hash from the cached state');
    const wider = {
      ...copy,
      columns: { ...copy.columns, extra: { kind: 'string', nullable: true } },
    } as ResourceConfig;
    assert.notEqual(contentHash(raw, wider), contentHash(raw, entries));
  });

  it('reads a zone offset without a colon', () => {
    assert.equal(toColumnValue('2024-01-01T01:00:00+0100', col('datetime')), 1704067200);
  });
});

describe('recordToRow: resources keyed by several fields, and partition values', () => {
  const userReports = resource('user_reports');
  const workTimes = resource('work_times');
  const YEAR_META: RowMeta = { ...META, partition: '2024', partitionValue: '2024' };
  const REPORT = {
    users_id: 7,
    users_name: 'Ada',
    sum_hours: 5443200,
    sum_absence: { regular_holidays: 25 },
  };

  it('fills the year a per-year report lacks from the partition it was read under, raw kept as sent', () => {
    const mapped = recordToRow(REPORT, userReports, YEAR_META);
    assert.ok(mapped.ok);
    assert.equal(mapped.row.year, 2024);
    assert.equal(mapped.row.users_id, 7);
    assert.deepEqual(mapped.row._shape_errors, []);
    assert.deepEqual(JSON.parse(mapped.row._raw as string), REPORT);
  });

  it('keeps a year the record does carry', () => {
    const mapped = recordToRow({ ...REPORT, year: 2023 }, userReports, YEAR_META);
    assert.ok(mapped.ok);
    assert.equal(mapped.row.year, 2023);
  });

  it('hashes the key fields into _key: the same key gives the same _key, another key another', () => {
    const a = recordToRow(REPORT, userReports, YEAR_META);
    const again = recordToRow({ ...REPORT, sum_hours: 1 }, userReports, YEAR_META);
    const otherYear = recordToRow(REPORT, userReports, { ...YEAR_META, partitionValue: '2025' });
    const otherUser = recordToRow({ ...REPORT, users_id: 8 }, userReports, YEAR_META);
    assert.ok(a.ok && again.ok && otherYear.ok && otherUser.ok);
    assert.equal(a.row._key, again.row._key);
    assert.notEqual(a.row._key, otherYear.row._key);
    assert.notEqual(a.row._key, otherUser.row._key);
    const key = a.row._key as number;
    assert.ok(Number.isSafeInteger(key) && key >= 0, `${key} fits a JS number and UInt64`);
    assert.equal(Object.keys(a.row)[0], '_key', 'the key comes first, as in the table');
  });

  it('quarantines a record whose key field is missing or of the wrong type, naming the field', () => {
    const day = { users_id: 7, date: '2025-03-04', offset: 0, intervals: [] };
    assert.ok(recordToRow(day, workTimes, META).ok);
    const noDate = recordToRow({ ...day, date: undefined }, workTimes, META);
    assert.deepEqual(noDate, { ok: false, reason: 'key field "date" missing or of the wrong type' });
    const bad = recordToRow({ ...day, users_id: 'seven', date: '2025-02-30' }, workTimes, META);
    assert.deepEqual(bad, {
      ok: false,
      reason: 'key fields "users_id", "date" missing or of the wrong type',
    });
  });
});
