// Every Clockodo list resource the local API server serves, in both route families (the v2 routes and
// today's /v3, /v4 routes): routes, keys and paging as the two configuration presets expect them, required
// parameters, and a dataset that is consistent across resources and deterministic.
import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { lumpsumServicePrice, LUMPSUM_SERVICE_IDS, SERVICE_IDS } from '../../api-server/catalog';
import { DEFAULT_SIZE, generateDataset, scaleSize } from '../../api-server/data-generator';
import { RunningApiServer, startApiServer } from '../../api-server/server';
import { Dataset, DatasetSize, WorkTimeDay } from '../../api-server/types';

const NOW = new Date('2025-06-15T10:30:00Z');
const CREDENTIALS = { email: 'tester@example.com', apiKey: 'sup3r-s3cret-key' };
const APP = 'api-server-test;tester@example.com';
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INT32_MAX = 2147483647;

type Json = Record<string, unknown>;
interface Paging {
  items_per_page: number;
  current_page: number;
  count_pages: number;
  count_items: number;
}
interface Reply {
  status: number;
  body: Json;
}

async function call(
  base: string,
  route: string,
  params: Record<string, string | number> = {},
): Promise<Reply> {
  const url = new URL(base + route);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const res = await fetch(url, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${CREDENTIALS.email}:${CREDENTIALS.apiKey}`).toString('base64')}`,
      'X-Clockodo-External-Application': APP,
    },
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** Every page of a paged list, checking the paging object on each. */
async function readAllPages(
  base: string,
  route: string,
  key: string,
  params: Record<string, string | number>,
  itemsPerPage: number,
): Promise<Json[]> {
  const items: Json[] = [];
  for (let page = 1; page <= 10_000; page++) {
    const r = await call(base, route, { ...params, page, items_per_page: itemsPerPage });
    assert.equal(r.status, 200, `${route} page ${page}: ${JSON.stringify(r.body)}`);
    const paging = r.body.paging as Paging;
    assert.ok(paging, `${route}: paging object`);
    assert.deepEqual(Object.keys(paging).sort(), [
      'count_items',
      'count_pages',
      'current_page',
      'items_per_page',
    ]);
    assert.equal(paging.current_page, page);
    assert.equal(paging.items_per_page, itemsPerPage);
    const rows = r.body[key] as Json[];
    assert.ok(Array.isArray(rows), `${route}: rows under ${key}`);
    items.push(...rows);
    if (paging.count_pages === paging.current_page) {
      assert.equal(items.length, paging.count_items, `${route}: count_items`);
      return items;
    }
  }
  throw new Error(`${route}: never reached the last page`);
}

const hashOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const existingFour = (d: Dataset) => ({
  customers: d.customers,
  projects: d.projects,
  absences: d.absences,
  entries: d.entries,
});

interface ResourceConfig {
  name: string;
  endpoint: {
    path: string;
    data_selector: string;
    paginator?: unknown;
    partition_router?: { request_option: { field_name: string }; record_field?: string };
    incremental_sync?: { type: string; start_param: string; end_param: string };
  };
  columns: Record<string, string>;
}

function preset(file: string): ResourceConfig[] {
  const text = fs.readFileSync(path.join(__dirname, '../../config/sources', file), 'utf8');
  return (JSON.parse(text) as { resources: ResourceConfig[] }).resources;
}

/** The value matches a column type of the presets ('int', 'float?', 'date', ...). */
function matchesColumn(value: unknown, type: string): boolean {
  const nullable = type.endsWith('?');
  if (value === null) return nullable;
  switch (type.replace('?', '')) {
    case 'int':
      return Number.isSafeInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && DATE.test(value);
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value);
    default:
      throw new Error(`unknown column type ${type}`);
  }
}

describe('api-server resources (both route families)', () => {
  let server: RunningApiServer;
  let base: string;
  let dataset: Dataset;
  const size = DEFAULT_SIZE(NOW);
  const years = size.years;

  before(async () => {
    dataset = generateDataset(11, size, NOW);
    server = await startApiServer({ dataset, credentials: CREDENTIALS, allowControl: true });
    base = server.url;
  });
  after(async () => {
    await server.close();
  });

  /** One request per partition (years) and a window over the whole dataset, as a client would. */
  async function readResource(r: ResourceConfig): Promise<Json[]> {
    const { endpoint } = r;
    const partitions = endpoint.partition_router
      ? years.map((y) => ({ [endpoint.partition_router!.request_option.field_name]: y }))
      : [{}];
    const window: Record<string, string> = {};
    if (endpoint.incremental_sync) {
      const dates = endpoint.incremental_sync.type === 'date';
      window[endpoint.incremental_sync.start_param] = dates
        ? `${years[0]}-01-01`
        : `${years[0]}-01-01T00:00:00Z`;
      window[endpoint.incremental_sync.end_param] = dates ? '2025-12-31' : '2025-12-31T23:59:59Z';
    }
    const rows: Json[] = [];
    for (const partition of partitions) {
      const params = { ...partition, ...window };
      if (endpoint.paginator) {
        rows.push(...(await readAllPages(base, endpoint.path, endpoint.data_selector, params, 7)));
      } else {
        const reply = await call(base, endpoint.path, params);
        assert.equal(reply.status, 200, `${endpoint.path}: ${JSON.stringify(reply.body)}`);
        assert.equal(reply.body.paging, undefined, `${endpoint.path} is not paged`);
        assert.ok(Array.isArray(reply.body[endpoint.data_selector]), `${endpoint.path}: rows under the key`);
        rows.push(...(reply.body[endpoint.data_selector] as Json[]));
      }
    }
    return rows;
  }

  for (const file of ['clockodo-v2.json', 'clockodo-current.json']) {
    it(`serves every resource of ${file} on its route, under its key, with its columns`, async () => {
      const resources = preset(file);
      assert.ok(resources.length >= 16, `${file} lists every resource`);
      for (const r of resources) {
        const rows = await readResource(r);
        assert.ok(rows.length > 0, `${r.name}: some rows`);
        const recordField = r.endpoint.partition_router?.record_field;
        for (const row of rows) {
          for (const [column, type] of Object.entries(r.columns)) {
            if (column === recordField) {
              assert.ok(!(column in row), `${r.name}: ${column} comes from the partition, not the record`);
              continue;
            }
            // Entries carry only the fields of their type; every other resource carries every column,
            // but for the newer API's names of two nonbusiness day fields (this server sends the v2 ones).
            if (r.name === 'entries' && !(column in row) && type.endsWith('?')) continue;
            if (
              r.name === 'nonbusiness_days' &&
              ['nonbusiness_group_id', 'evaluated_date'].includes(column)
            ) {
              assert.ok(!(column in row), `${r.name}: ${column} is the newer name`);
              continue;
            }
            assert.ok(column in row, `${r.name}: ${column} present`);
            assert.ok(
              matchesColumn(row[column], type),
              `${r.name}.${column}: ${JSON.stringify(row[column])} is ${type}`,
            );
          }
        }
      }
    });
  }

  it('serves the same records in both families (only route, key and paging differ)', async () => {
    const v2 = new Map(preset('clockodo-v2.json').map((r) => [r.name, r]));
    for (const current of preset('clockodo-current.json')) {
      const old = v2.get(current.name);
      assert.ok(old, `${current.name} is in both presets`);
      const [a, b] = [await readResource(old), await readResource(current)];
      assert.deepEqual(b, a, `${current.name}: the same records`);
    }
  });

  it('answers each new route with its key, paged where the family pages', async () => {
    const year = { year: 2024 };
    const routes: [string, string, boolean, Record<string, string | number>][] = [
      ['/v2/services', 'services', false, {}],
      ['/v2/lumpsumservices', 'lumpSumServices', false, {}],
      ['/v2/users', 'users', false, {}],
      ['/v2/teams', 'teams', false, {}],
      ['/v2/surcharges', 'surcharges', false, {}],
      ['/v2/nonbusinessDays', 'nonbusinessdays', false, year],
      ['/targethours', 'targethours', false, {}],
      ['/holidaysquota', 'holidaysquota', false, {}],
      ['/holidayscarry', 'holidayscarry', false, {}],
      ['/overtimecarry', 'overtimecarry', false, {}],
      ['/userreports', 'userreports', false, year],
      ['/v2/workTimes', 'work_time_days', true, { date_since: '2024-01-01', date_until: '2024-12-31' }],
      ['/v4/services', 'data', true, {}],
      ['/v4/lumpSumServices', 'data', true, {}],
      ['/v3/users', 'data', true, {}],
      ['/v3/teams', 'data', true, {}],
      ['/v3/customers', 'data', true, {}],
      ['/v4/projects', 'data', true, {}],
      ['/v4/absences', 'data', true, { 'filter[year]': 2024 }],
    ];
    for (const [route, key, isPaged, params] of routes) {
      const r = await call(base, route, params);
      assert.equal(r.status, 200, route);
      assert.ok(
        Array.isArray(r.body[key]) && (r.body[key] as unknown[]).length > 0,
        `${route}: rows under ${key}`,
      );
      assert.equal(r.body.paging !== undefined, isPaged, `${route}: paged ${isPaged}`);
      assert.deepEqual(Object.keys(r.body).sort(), isPaged ? [key, 'paging'].sort() : [key]);
    }
    // The v2 lists that are paged stay paged under their own keys.
    for (const [route, key] of [
      ['/v2/projects', 'projects'],
      ['/v2/customers', 'customers'],
    ]) {
      const r = await call(base, route);
      assert.ok(r.body.paging && Array.isArray(r.body[key]), route);
    }
    const ids = (key: string, body: Json) => (body[key] as { id: number }[]).map((x) => x.id);
    assert.deepEqual(
      ids('users', (await call(base, '/v2/users')).body),
      dataset.users.map((u) => u.id),
    );
  });

  it('orders id lists by id, user reports by users_id, work times by (date, users_id)', async () => {
    for (const [route, key] of [
      ['/v2/users', 'users'],
      ['/targethours', 'targethours'],
      ['/holidayscarry', 'holidayscarry'],
    ]) {
      const rows = (await call(base, route)).body[key] as { id: number }[];
      assert.ok(
        rows.every((r, i) => i === 0 || rows[i - 1].id < r.id),
        route,
      );
    }
    const reports = (await call(base, '/userreports', { year: 2024 })).body.userreports as {
      users_id: number;
    }[];
    assert.ok(reports.every((r, i) => i === 0 || reports[i - 1].users_id < r.users_id));
    const days = (await readAllPages(
      base,
      '/v2/workTimes',
      'work_time_days',
      { date_since: '2023-01-01', date_until: '2025-12-31' },
      500,
    )) as unknown as WorkTimeDay[];
    assert.ok(
      days.every(
        (d, i) =>
          i === 0 ||
          d.date > days[i - 1].date ||
          (d.date === days[i - 1].date && d.users_id > days[i - 1].users_id),
      ),
    );
    assert.deepEqual(days, dataset.work_times);
  });

  describe('required parameters', () => {
    const expect400 = async (route: string, params: Record<string, string>, fields: string[]) => {
      const r = await call(base, route, params);
      assert.equal(r.status, 400, `${route} ${JSON.stringify(params)}`);
      const error = r.body.error as { message: string; fields?: string[] };
      assert.equal(typeof error.message, 'string');
      assert.deepEqual(error.fields, fields, `${route} ${JSON.stringify(params)}`);
    };

    it('wants a year for nonbusiness days, user reports and (as filter[year]) today’s absences', async () => {
      await expect400('/v2/nonbusinessDays', {}, ['year']);
      await expect400('/v2/nonbusinessDays', { year: '24' }, ['year']);
      await expect400('/userreports', {}, ['year']);
      await expect400('/userreports', { year: 'next' }, ['year']);
      await expect400('/v4/absences', {}, ['filter[year]']);
      await expect400('/v4/absences', { year: '2024' }, ['filter[year]']);
      await expect400('/v2/absences', { 'filter[year]': '2024' }, ['year']);
    });

    it('wants both dates of a work times window, well formed and in order', async () => {
      await expect400('/v2/workTimes', {}, ['date_since', 'date_until']);
      await expect400('/v2/workTimes', { date_since: '2024-01-01' }, ['date_until']);
      await expect400('/v2/workTimes', { date_until: '2024-01-01' }, ['date_since']);
      await expect400('/v2/workTimes', { date_since: '2024-02-30', date_until: '2024-03-01' }, [
        'date_since',
      ]);
      await expect400('/v2/workTimes', { date_since: '20240101', date_until: '2024-13-01' }, [
        'date_since',
        'date_until',
      ]);
      await expect400('/v2/workTimes', { date_since: '2024-03-02', date_until: '2024-03-01' }, [
        'date_since',
        'date_until',
      ]);
      await expect400('/v2/workTimes', { date_since: '2024-01-01', date_until: '2024-01-31', page: '0' }, [
        'page',
      ]);
    });
  });

  it('reads work times inclusive at both ends of the window', async () => {
    const date = dataset.work_times[Math.floor(dataset.work_times.length / 2)].date;
    const oneDay = await readAllPages(
      base,
      '/v2/workTimes',
      'work_time_days',
      { date_since: date, date_until: date },
      3,
    );
    assert.deepEqual(
      oneDay,
      dataset.work_times.filter((d) => d.date === date),
    );
    const empty = await call(base, '/v2/workTimes', { date_since: '1999-01-01', date_until: '1999-12-31' });
    assert.deepEqual(empty.body.work_time_days, []);
    assert.equal((empty.body.paging as Paging).count_pages, 1);
  });

  it('serves absences of a year the same way in both families, a year-spanning one in both years', async () => {
    for (const year of years) {
      const v2 = (await call(base, '/v2/absences', { year })).body.absences;
      const v4 = await readAllPages(base, '/v4/absences', 'data', { 'filter[year]': year }, 13);
      assert.deepEqual(v4, v2, String(year));
    }
    const spanning = dataset.absences.find((a) => a.date_since.slice(0, 4) !== a.date_until.slice(0, 4));
    assert.ok(spanning);
    for (const year of [Number(spanning.date_since.slice(0, 4)), Number(spanning.date_until.slice(0, 4))]) {
      const ids = (await readAllPages(base, '/v4/absences', 'data', { 'filter[year]': year }, 1000)).map(
        (a) => a.id,
      );
      assert.ok(ids.includes(spanning.id), String(year));
    }
  });

  it('serves changes to the dataset on the next request (no cache)', async () => {
    const users = dataset.users;
    const removed = users.splice(1, 1)[0];
    const edited = { ...users[0], name: 'Renamed Ünïcode 🎉' };
    users[0] = edited;
    const days = dataset.work_times;
    const day = days[0];
    days[0] = { ...day, offset: day.offset + 60 };
    try {
      const v2 = (await call(base, '/v2/users')).body.users as { id: number; name: string }[];
      const v3 = (await call(base, '/v3/users')).body.data as { id: number; name: string }[];
      for (const list of [v2, v3]) {
        assert.ok(!list.some((u) => u.id === removed.id));
        assert.equal(list.find((u) => u.id === edited.id)?.name, edited.name);
      }
      const first = (await call(base, '/v2/workTimes', { date_since: day.date, date_until: day.date })).body
        .work_time_days as WorkTimeDay[];
      assert.equal(first.find((d) => d.users_id === day.users_id)?.offset, day.offset + 60);
    } finally {
      users.splice(1, 0, removed);
      days[0] = day;
    }
  });

  it('answers /__control/records for every resource, user reports with their year', async () => {
    const control = base.replace(/\/api$/, '/__control');
    for (const name of Object.keys(dataset)) {
      const res = await fetch(`${control}/records?resource=${name}`);
      assert.equal(res.status, 200, name);
      const { total, records } = (await res.json()) as { total: number; records: Json[] };
      assert.equal(records.length, total, name);
      if (name === 'user_reports') {
        assert.equal(total, years.length * dataset.users.length);
        assert.ok(records.every((r) => years.includes(r.year as number)));
        const keys = records.map((r) => [r.users_id as number, r.year as number]);
        assert.ok(
          keys.every(
            (k, i) => i === 0 || keys[i - 1][0] < k[0] || (keys[i - 1][0] === k[0] && keys[i - 1][1] < k[1]),
          ),
        );
      } else if (name === 'work_times') {
        assert.deepEqual(records, dataset.work_times);
      } else {
        const ids = records.map((r) => r.id as number);
        assert.ok(
          ids.every((id, i) => i === 0 || ids[i - 1] < id),
          name,
        );
      }
    }
    const slice = (await (await fetch(`${control}/records?resource=entries&offset=10&limit=5`)).json()) as {
      total: number;
      records: { id: number }[];
    };
    assert.equal(slice.total, dataset.entries.length);
    assert.deepEqual(
      slice.records.map((r) => r.id),
      dataset.entries.slice(10, 15).map((e) => e.id),
    );
    assert.equal((await fetch(`${control}/records?resource=nothing`)).status, 404);
    assert.equal((await fetch(`${control}/records?resource=constructor`)).status, 404);
  });
});

describe('api-server dataset: the added resources', () => {
  const size = DEFAULT_SIZE(NOW);
  const d = generateDataset(42, size, NOW);

  it('leaves customers, projects, absences and entries byte-identical to before they were added', () => {
    // Hashes of the four resources as generated before the other resources existed.
    assert.equal(hashOf(existingFour(d)), '2b78f1edc3b28e3168b29ca47f4cfa370af7b246b7b1c95445c988c560ab9477');
    const small = generateDataset(7, scaleSize(size, 0.1), NOW);
    assert.equal(
      hashOf(existingFour(small)),
      '507c8d53278a761437338ddff742f0948b0caa6762507ec074d052541a780235',
    );
  });

  it('is deterministic for the same seed, size and now, and differs for another seed', () => {
    assert.equal(JSON.stringify(generateDataset(42, size, NOW)), JSON.stringify(d));
    const other = generateDataset(43, size, NOW);
    for (const name of [
      'users',
      'teams',
      'target_hours',
      'holidays_carry',
      'work_times',
      'user_reports',
    ] as const) {
      assert.notDeepEqual(other[name], d[name], name);
    }
  });

  checkConsistency('default size', d, size);
  const small: DatasetSize = { ...scaleSize(size, 0.1), users: 1 };
  checkConsistency('one user', generateDataset(5, small, NOW), small);
  const tiny: DatasetSize = {
    customers: 1,
    projects: 0,
    absencesPerYear: 0,
    entries: 0,
    users: 0,
    years: [2025],
  };
  checkConsistency('no users', generateDataset(5, tiny, NOW), tiny);

  it('lists exactly the services and lump-sum services entries book on, with the catalog prices', () => {
    assert.deepEqual(
      d.services.map((s) => s.id),
      [...SERVICE_IDS],
    );
    assert.deepEqual(
      d.lumpsum_services.map((s) => s.id),
      [...LUMPSUM_SERVICE_IDS],
    );
    for (const s of d.lumpsum_services) assert.equal(s.price, lumpsumServicePrice(s.id));
    assert.equal(new Set(d.entries.map((e) => e.users_id)).size, d.users.length);
  });

  it('has nulls, awkward text and a large id in the added resources', () => {
    assert.ok(d.users.some((u) => u.number === null) && d.users.some((u) => u.edit_lock === null));
    assert.ok(d.users.some((u) => u.teams_id === null || u.id > 2_000_000_000));
    assert.ok(d.users.some((u) => /[äöüë]/.test(u.name)));
    assert.ok(d.teams.some((t) => t.leader === null) && d.teams.some((t) => t.leader !== null));
    assert.ok(d.surcharges.some((s) => s.night === null) && d.surcharges.some((s) => s.night !== null));
    assert.ok(d.surcharges.some((s) => s.id > 2_000_000_000));
    assert.ok(d.nonbusiness_days.some((n) => n.id > 2_000_000_000));
    assert.ok(d.nonbusiness_days.some((n) => n.half_day) && d.nonbusiness_days.some((n) => /ä/.test(n.name)));
    assert.ok(d.target_hours.some((t) => t.type === 'monthly' && t.monday === null));
    assert.ok(
      d.target_hours.some((t) => t.date_until === null) && d.target_hours.some((t) => t.date_until !== null),
    );
    assert.ok(d.holidays_carry.some((c) => c.note === null) && d.holidays_carry.some((c) => c.note !== null));
    assert.ok(Object.values(d.user_reports).some((rows) => rows.some((r) => r.holidays_quota === null)));
    assert.ok(d.services.some((s) => !s.active) && d.services.some((s) => s.number === null));
    assert.ok(d.lumpsum_services.some((s) => s.unit === null));
  });

  it('has German public holidays with Easter-dependent dates', () => {
    const names = (year: number) =>
      new Map(d.nonbusiness_days.filter((n) => n.date.startsWith(`${year}-`)).map((n) => [n.name, n.date]));
    assert.equal(names(2024).get('Karfreitag'), '2024-03-29');
    assert.equal(names(2025).get('Ostermontag'), '2025-04-21');
    assert.equal(names(2023).get('Pfingstmontag'), '2023-05-29');
    assert.equal(names(2025).get('Tag der Deutschen Einheit'), '2025-10-03');
  });
});

/** Every reference between the resources resolves, and the derived resources follow from the others. */
function checkConsistency(what: string, d: Dataset, size: DatasetSize): void {
  it(`keeps every cross-resource reference and derived figure consistent (${what})`, () => {
    const userIds = new Set(d.users.map((u) => u.id));
    const teamIds = new Set(d.teams.map((t) => t.id));
    const serviceIds = new Set(d.services.map((s) => s.id));
    const lumpsumIds = new Set(d.lumpsum_services.map((s) => s.id));
    for (const [name, records] of Object.entries(d) as [string, { id: number }[]][]) {
      if (name === 'user_reports' || name === 'work_times') continue;
      const ids = records.map((r) => r.id);
      assert.ok(
        ids.every((id) => Number.isInteger(id) && id > 0 && id <= INT32_MAX),
        `${name}: int32 ids`,
      );
      assert.equal(new Set(ids).size, ids.length, `${name}: unique ids`);
      assert.ok(
        ids.every((id, i) => i === 0 || ids[i - 1] < id),
        `${name}: in id order`,
      );
    }
    assert.equal(d.users.length, size.users);
    for (const e of d.entries) {
      assert.ok(userIds.has(e.users_id), `entry ${e.id} user`);
      if (e.type === 3) assert.ok(lumpsumIds.has(e.lumpsum_services_id), `entry ${e.id} lump-sum service`);
      else assert.ok(serviceIds.has(e.services_id), `entry ${e.id} service`);
    }
    for (const a of d.absences) {
      assert.ok(userIds.has(a.users_id), `absence ${a.id} user`);
      if (a.approved_by !== null) assert.ok(userIds.has(a.approved_by), `absence ${a.id} approver`);
    }
    for (const u of d.users) if (u.teams_id !== null) assert.ok(teamIds.has(u.teams_id), `user ${u.id} team`);
    for (const t of d.teams) {
      if (t.leader !== null)
        assert.equal(d.users.find((u) => u.id === t.leader)?.teams_id, t.id, `team ${t.id}`);
    }
    for (const list of [d.target_hours, d.holidays_quota, d.holidays_carry, d.overtime_carry]) {
      for (const r of list) assert.ok(userIds.has(r.users_id), `${r.id} user`);
    }
    for (const u of d.users) {
      const rows = d.target_hours
        .filter((t) => t.users_id === u.id)
        .sort((a, b) => a.date_since.localeCompare(b.date_since));
      assert.ok(
        rows.length >= 1 && rows[rows.length - 1].date_until === null,
        `user ${u.id}: open target hours`,
      );
    }
    for (const year of size.years) {
      const days = d.nonbusiness_days.filter((n) => n.date.startsWith(`${year}-`));
      assert.ok(days.length >= 10, `${year}: holidays`);
      const reports = d.user_reports[String(year)];
      assert.deepEqual(
        reports.map((r) => r.users_id),
        d.users.map((u) => u.id),
        `${year}: one report per user`,
      );
      for (const r of reports) {
        assert.ok(!('year' in r) && !('id' in r), 'report rows carry no year and no id');
        const seconds = d.entries
          .filter((e) => e.type === 1 && e.users_id === r.users_id && e.time_since.startsWith(`${year}-`))
          .reduce((sum, e) => sum + (e.type === 1 ? (e.duration ?? 0) : 0), 0);
        assert.equal(r.sum_hours, seconds, `${year}/${r.users_id}: sum_hours, in seconds`);
        const user = d.users.find((u) => u.id === r.users_id)!;
        assert.equal(r.users_name, user.name);
        assert.equal(r.users_email, user.email);
        assert.equal(Object.keys(r.sum_absence).length, 14);
      }
    }
    // Work time days: one per user and date with finished time entries; intervals inside those entries.
    const finished = d.entries.filter((e) => e.type === 1 && e.time_until !== null);
    const userDays = new Set(finished.map((e) => `${e.time_since.slice(0, 10)}|${e.users_id}`));
    assert.equal(d.work_times.length, userDays.size);
    assert.ok(d.work_times.length <= d.entries.length);
    for (const w of d.work_times) {
      assert.ok(userDays.has(`${w.date}|${w.users_id}`));
      assert.ok(w.intervals.length >= 1);
      for (const [i, iv] of w.intervals.entries()) {
        assert.match(iv.time_since, DATETIME);
        assert.ok(iv.time_until !== null && iv.time_since < iv.time_until);
        if (i > 0)
          assert.ok(w.intervals[i - 1].time_until! < iv.time_since, 'intervals disjoint and ordered');
      }
    }
  });
}
