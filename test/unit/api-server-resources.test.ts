// Every Clockodo list resource the local API server serves, in both route families: the docs-era routes
// (shapes from Clockodo's docs pages) and today's routes (shapes from the public SDK peerigon/clockodo at
// 7240c63). Each route's key, paging and record shape; the quirks the docs state (recurring nonbusiness
// days keep their id, old carry rows have none, work times from 2023-08-21, date_until either way);
// required parameters; what test/e2e/compare.ts expects a table to hold; and a dataset that is consistent
// across resources and deterministic. The route table here is written out by hand, on purpose: it checks
// api-server/served.ts rather than repeating it.
import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import { lumpsumServicePrice, LUMPSUM_SERVICE_IDS, SERVICE_IDS } from '../../api-server/catalog';
import { DEFAULT_SIZE, generateDataset, scaleSize } from '../../api-server/data-generator';
import { ENDPOINTS } from '../../api-server/endpoints';
import { WORK_TIMES_FIRST_DATE } from '../../api-server/gen-reports';
import { SERVED } from '../../api-server/served';
import { RunningApiServer, startApiServer } from '../../api-server/server';
import { Dataset, DatasetSize, NonbusinessDay, WorkTimeDay } from '../../api-server/types';
import type { ResourceConfig } from '../../domain/source-config';
import { servedRecords } from '../e2e/compare';

const NOW = new Date('2025-06-15T10:30:00Z');
const CREDENTIALS = { email: 'tester@example.com', apiKey: 'sup3r-s3cret-key' };
const APP = 'api-server-test;tester@example.com';
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INT32_MAX = 2147483647;

type Json = Record<string, unknown>;
type Params = Record<string, string | number>;
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

async function call(base: string, route: string, params: Params = {}): Promise<Reply> {
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
  params: Params,
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
    assert.ok(rows.length <= itemsPerPage, `${route}: page size`);
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
const idsOf = (rows: Json[]): number[] => rows.map((r) => r.id as number);
const ascending = (ids: number[]): boolean => ids.every((id, i) => i === 0 || ids[i - 1] < id);
const nextDay = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const allNonbusinessDays = (d: Dataset): NonbusinessDay[] => Object.values(d.nonbusiness_days).flat();

/** A field's type: 'int', 'float', 'string', 'bool', 'date', 'datetime', 'zero-one', 'object', 'array'; '?' allows null. */
function matchesType(value: unknown, type: string): boolean {
  if (value === null) return type.endsWith('?');
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
    case 'zero-one':
      return value === 0 || value === 1;
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    default:
      throw new Error(`unknown type ${type}`);
  }
}

/** The fields every row carries, and those only some rows carry; a row carries no other field. */
interface Shape {
  fields: Record<string, string>;
  optional?: Record<string, string>;
}

function assertShape(route: string, row: Json, shape: Shape): void {
  const optional = shape.optional ?? {};
  for (const [field, type] of Object.entries(shape.fields)) {
    assert.ok(field in row, `${route}: ${field} present in ${JSON.stringify(row)}`);
    assert.ok(matchesType(row[field], type), `${route}.${field}: ${JSON.stringify(row[field])} is ${type}`);
  }
  for (const field of Object.keys(row)) {
    const type = shape.fields[field] ?? optional[field];
    assert.ok(type !== undefined, `${route}: unexpected field ${field}`);
    if (field in optional) {
      assert.ok(matchesType(row[field], type), `${route}.${field}: ${JSON.stringify(row[field])} is ${type}`);
    }
  }
}

const SURCHARGE_MODEL_COMPONENTS = [
  'night',
  'night_increased',
  'nonbusiness',
  'nonbusiness_special',
  'sunday',
  'saturday',
];
const DOCS_SURCHARGE: Shape = {
  fields: { id: 'int', name: 'string', accumulation: 'bool' },
  optional: Object.fromEntries(SURCHARGE_MODEL_COMPONENTS.map((c) => [c, 'object'])),
};
const SURCHARGE_MODEL: Shape = {
  fields: {
    id: 'int',
    name: 'string',
    accumulation: 'bool',
    ...Object.fromEntries(SURCHARGE_MODEL_COMPONENTS.map((c) => [c, 'object?'])),
  },
};
const DOCS_NONBUSINESS_DAY: Shape = {
  fields: { id: 'int', nonbusinessgroups_id: 'int', name: 'string', date: 'date', half_day: 'zero-one' },
};
const SDK_NONBUSINESS_DAY: Shape = {
  fields: {
    id: 'int',
    nonbusiness_group_id: 'int',
    name: 'string',
    half_day: 'bool',
    type: 'string',
    surcharge_special: 'bool',
    evaluated_date: 'date',
  },
  optional: { special_id: 'int', day: 'int', month: 'int', year: 'int' },
};
const NONBUSINESS_GROUP: Shape = { fields: { id: 'int', name: 'string', company_default: 'bool' } };
const HOLIDAYS_QUOTA: Shape = {
  fields: {
    id: 'int',
    users_id: 'int',
    year_since: 'int',
    year_until: 'int?',
    count: 'float',
    note: 'string?',
  },
};
const DOCS_HOLIDAYS_CARRY: Shape = {
  fields: { users_id: 'int', year: 'int', count: 'float', note: 'string?' },
};
const HOLIDAYS_CARRY: Shape = { fields: { id: 'int', ...DOCS_HOLIDAYS_CARRY.fields } };
const DOCS_OVERTIME_CARRY: Shape = {
  fields: { users_id: 'int', year: 'int', hours: 'float', note: 'string?' },
};
const OVERTIME_CARRY: Shape = { fields: { id: 'int', ...DOCS_OVERTIME_CARRY.fields } };
const SUBPROJECT: Shape = {
  fields: {
    id: 'int',
    projects_id: 'int',
    name: 'string',
    number: 'string?',
    note: 'string?',
    budget: 'object?',
    billed_money: 'float?',
    billed_completely: 'bool?',
    billable_default: 'bool',
    completed: 'bool',
    completed_at: 'datetime?',
    revenue_factor: 'float?',
    start_date: 'date?',
    deadline: 'date?',
    active: 'bool',
  },
};
const OVERTIME_REDUCTION: Shape = {
  fields: {
    id: 'int',
    users_id: 'int',
    date: 'date',
    hours: 'float',
    note: 'string?',
    added_at: 'date',
    added_by_users_id: 'int',
  },
};
const CHANGE_REQUEST: Shape = {
  fields: {
    id: 'int',
    date: 'date',
    users_id: 'int',
    status: 'int',
    created_at: 'datetime',
    changes: 'array',
  },
  optional: { declined_at: 'datetime', declined_by: 'int' },
};
const WORK_TIME_DAY: Shape = {
  fields: { date: 'date', users_id: 'int', offset: 'int', intervals: 'array' },
};

/** How a client reads all of a route: per year (under this parameter), or once; with a window if required. */
interface RouteCase {
  path: string;
  key: string;
  paged: boolean;
  /** The Dataset list the route serves. */
  list: keyof Dataset;
  yearParam?: string;
  window?: Params;
  shape?: Shape;
}

const ENTRY_WINDOW = { time_since: '2023-01-01T00:00:00Z', time_until: '2025-12-31T23:59:59Z' };
const WORK_WINDOW = { date_since: '2023-01-01', date_until: '2025-12-31' };

const DOCS_ROUTES: RouteCase[] = [
  { path: '/v2/projects', key: 'projects', paged: true, list: 'projects' },
  { path: '/v2/customers', key: 'customers', paged: true, list: 'customers' },
  { path: '/v2/absences', key: 'absences', paged: false, list: 'absences', yearParam: 'year' },
  { path: '/v2/entries', key: 'entries', paged: true, list: 'entries', window: ENTRY_WINDOW },
  { path: '/v2/services', key: 'services', paged: false, list: 'services' },
  { path: '/v2/lumpsumservices', key: 'lumpSumServices', paged: false, list: 'lumpsum_services' },
  { path: '/v2/users', key: 'users', paged: false, list: 'users' },
  { path: '/v2/teams', key: 'teams', paged: false, list: 'teams' },
  { path: '/v2/surcharges', key: 'surcharges', paged: false, list: 'surcharges', shape: DOCS_SURCHARGE },
  {
    path: '/nonbusinessdays',
    key: 'nonbusinessdays',
    paged: false,
    list: 'nonbusiness_days',
    yearParam: 'year',
    shape: DOCS_NONBUSINESS_DAY,
  },
  { path: '/targethours', key: 'targethours', paged: false, list: 'target_hours' },
  {
    path: '/holidaysquota',
    key: 'holidaysquota',
    paged: false,
    list: 'holidays_quota',
    shape: HOLIDAYS_QUOTA,
  },
  {
    path: '/holidayscarry',
    key: 'holidayscarry',
    paged: false,
    list: 'holidays_carry',
    shape: DOCS_HOLIDAYS_CARRY,
  },
  {
    path: '/overtimecarry',
    key: 'overtimecarry',
    paged: false,
    list: 'overtime_carry',
    shape: DOCS_OVERTIME_CARRY,
  },
  { path: '/userreports', key: 'userreports', paged: false, list: 'user_reports', yearParam: 'year' },
  {
    path: '/v2/workTimes',
    key: 'work_time_days',
    paged: true,
    list: 'work_times',
    window: WORK_WINDOW,
    shape: WORK_TIME_DAY,
  },
];

const TODAYS_ROUTES: RouteCase[] = [
  { path: '/v4/projects', key: 'data', paged: true, list: 'projects' },
  { path: '/v3/customers', key: 'data', paged: true, list: 'customers' },
  { path: '/v3/subprojects', key: 'data', paged: true, list: 'subprojects', shape: SUBPROJECT },
  { path: '/v4/absences', key: 'data', paged: true, list: 'absences', yearParam: 'filter[year]' },
  { path: '/v4/services', key: 'data', paged: true, list: 'services' },
  { path: '/v4/lumpSumServices', key: 'data', paged: true, list: 'lumpsum_services' },
  { path: '/v3/users', key: 'data', paged: true, list: 'users' },
  { path: '/v3/teams', key: 'data', paged: true, list: 'teams' },
  { path: '/v2/surchargeModels', key: 'data', paged: false, list: 'surcharges', shape: SURCHARGE_MODEL },
  {
    path: '/v2/nonbusinessGroups',
    key: 'data',
    paged: false,
    list: 'nonbusiness_groups',
    shape: NONBUSINESS_GROUP,
  },
  {
    path: '/v2/nonbusinessDays',
    key: 'data',
    paged: false,
    list: 'nonbusiness_days',
    yearParam: 'year',
    shape: SDK_NONBUSINESS_DAY,
  },
  { path: '/v2/holidaysQuota', key: 'data', paged: false, list: 'holidays_quota', shape: HOLIDAYS_QUOTA },
  { path: '/v3/holidaysCarry', key: 'data', paged: false, list: 'holidays_carry', shape: HOLIDAYS_CARRY },
  { path: '/v3/overtimeCarry', key: 'data', paged: false, list: 'overtime_carry', shape: OVERTIME_CARRY },
  {
    path: '/v3/overtimeReductions',
    key: 'data',
    paged: false,
    list: 'overtime_reductions',
    shape: OVERTIME_REDUCTION,
  },
  {
    path: '/v2/workTimes/changeRequests',
    key: 'data',
    paged: true,
    list: 'work_time_change_requests',
    shape: CHANGE_REQUEST,
  },
];

const ROUTES = [...DOCS_ROUTES, ...TODAYS_ROUTES];

describe('api-server routes (both families)', () => {
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

  /** Every row a client reads from a route: each year (when read per year), each page, the whole window. */
  async function readRoute(r: RouteCase, itemsPerPage = 7): Promise<Json[]> {
    const partitions: Params[] = r.yearParam ? years.map((y) => ({ [r.yearParam!]: y })) : [{}];
    const rows: Json[] = [];
    for (const partition of partitions) {
      const params = { ...partition, ...r.window };
      if (r.paged) {
        rows.push(...(await readAllPages(base, r.path, r.key, params, itemsPerPage)));
      } else {
        const reply = await call(base, r.path, params);
        assert.equal(reply.status, 200, `${r.path}: ${JSON.stringify(reply.body)}`);
        assert.deepEqual(Object.keys(reply.body), [r.key], `${r.path}: only the rows, not paged`);
        rows.push(...(reply.body[r.key] as Json[]));
      }
    }
    return rows;
  }

  it('knows exactly the routes served.ts names, and the handlers serve exactly those', () => {
    const paths = ROUTES.map((r) => r.path).sort();
    assert.equal(new Set(paths).size, paths.length, 'each route once');
    assert.deepEqual(Object.keys(SERVED).sort(), paths);
    assert.deepEqual(Object.keys(ENDPOINTS).sort(), paths);
    for (const r of ROUTES) {
      const served = SERVED[r.path as keyof typeof SERVED];
      assert.equal(served.key, r.key, `${r.path}: key`);
      assert.equal(served.list, r.list, `${r.path}: list`);
    }
  });

  for (const r of ROUTES) {
    it(`${r.path}: rows under "${r.key}", ${r.paged ? 'paged' : 'unpaged'}, in its shape`, async () => {
      const partition: Params = r.yearParam ? { [r.yearParam]: 2024 } : {};
      const reply = await call(base, r.path, { ...partition, ...r.window });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.deepEqual(Object.keys(reply.body).sort(), r.paged ? [r.key, 'paging'].sort() : [r.key]);
      const rows = await readRoute(r);
      assert.ok(rows.length > 0, 'some rows');
      for (const row of rows) if (r.shape) assertShape(r.path, row, r.shape);
    });
  }

  it('renders what servedRecords (test/e2e/compare.ts) says a table of that route should hold', async () => {
    for (const r of ROUTES) {
      const read = await readRoute(r, 500);
      const served = servedRecords(dataset, resourceFor(r)).map((s) => s.raw);
      // An absence spanning two years is read in both: a table holds it once.
      const rows = r.list === 'absences' ? uniqueById(read) : read;
      assert.deepEqual(rows, served, `${r.path}: the records as the route sends them`);
    }
  });

  it('fills the partition router’s record_field of a per-year list from the year it was read by', () => {
    const resource = resourceFor(
      ROUTES.find((r) => r.path === '/userreports')!,
      'year',
    );
    const served = servedRecords(dataset, resource);
    assert.equal(served.length, years.length * dataset.users.length);
    for (const year of years) {
      const ofYear = served.filter((s) => s.expected.year === year);
      assert.deepEqual(
        ofYear.map((s) => s.raw),
        dataset.user_reports[String(year)],
      );
      assert.ok(
        ofYear.every((s) => !('year' in s.raw)),
        'the record itself says no year',
      );
    }
  });

  it('orders id lists by id, user reports by users_id, work times by (date, users_id)', async () => {
    for (const r of ROUTES.filter((x) => !['work_times', 'user_reports'].includes(x.list) && !x.yearParam)) {
      const rows = await readRoute(r, 1000);
      if (rows[0] && 'id' in rows[0]) assert.ok(ascending(idsOf(rows)), r.path);
    }
    const reports = (await call(base, '/userreports', { year: 2024 })).body.userreports as Json[];
    assert.ok(ascending(reports.map((r) => r.users_id as number)));
    const days = (await readAllPages(
      base,
      '/v2/workTimes',
      'work_time_days',
      WORK_WINDOW,
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

  describe('both families serve the same records, each in its own shape', () => {
    it('the lists whose shape did not change', async () => {
      const pairs: [string, string][] = [
        ['/v2/projects', '/v4/projects'],
        ['/v2/customers', '/v3/customers'],
        ['/v2/services', '/v4/services'],
        ['/v2/lumpsumservices', '/v4/lumpSumServices'],
        ['/v2/users', '/v3/users'],
        ['/v2/teams', '/v3/teams'],
        ['/holidaysquota', '/v2/holidaysQuota'],
      ];
      for (const [old, current] of pairs) {
        const route = (p: string) => ROUTES.find((r) => r.path === p)!;
        assert.deepEqual(await readRoute(route(current)), await readRoute(route(old)), current);
      }
    });

    it('absences of a year, a year-spanning one in both years', async () => {
      for (const year of years) {
        const v2 = (await call(base, '/v2/absences', { year })).body.absences;
        const v4 = await readAllPages(base, '/v4/absences', 'data', { 'filter[year]': year }, 13);
        assert.deepEqual(v4, v2, String(year));
      }
      const spanning = dataset.absences.find((a) => a.date_since.slice(0, 4) !== a.date_until.slice(0, 4));
      assert.ok(spanning);
      for (const year of [Number(spanning.date_since.slice(0, 4)), Number(spanning.date_until.slice(0, 4))]) {
        const rows = await readAllPages(base, '/v4/absences', 'data', { 'filter[year]': year }, 1000);
        assert.ok(idsOf(rows).includes(spanning.id), String(year));
      }
    });

    it('carries: the old routes send no id (docs), today’s do (SDK); otherwise the same rows', async () => {
      for (const [old, current, list] of [
        ['/holidayscarry', '/v3/holidaysCarry', 'holidays_carry'],
        ['/overtimecarry', '/v3/overtimeCarry', 'overtime_carry'],
      ] as const) {
        const withoutId = ((await call(base, old)).body[old.slice(1)] as Json[]) ?? [];
        const withId = (await call(base, current)).body.data as Json[];
        assert.ok(withoutId.length > 0 && withoutId.every((row) => !('id' in row)), `${old}: no id`);
        assert.ok(
          withId.every((row) => Number.isSafeInteger(row.id)),
          `${current}: an id`,
        );
        assert.deepEqual(
          idsOf(withId),
          dataset[list].map((c) => c.id),
        );
        assert.deepEqual(
          withId.map(({ id: _id, ...rest }) => rest),
          withoutId,
          `${current} = ${old} + id`,
        );
      }
    });

    it('surcharges: the docs route omits what is not configured; surchargeModels sends it as null', async () => {
      const docs = (await call(base, '/v2/surcharges')).body.surcharges as Json[];
      const models = (await call(base, '/v2/surchargeModels')).body.data as Json[];
      assert.deepEqual(idsOf(docs), idsOf(models));
      let omitted = 0;
      for (const [i, model] of models.entries()) {
        for (const c of SURCHARGE_MODEL_COMPONENTS) {
          assert.ok(c in model, `surchargeModels: ${c} always present`);
          if (model[c] === null) {
            assert.ok(!(c in docs[i]), `surcharges ${docs[i].id as number}: ${c} omitted, not null`);
            omitted++;
          } else assert.deepEqual(docs[i][c], model[c]);
        }
      }
      assert.ok(omitted > 0, 'some component not configured');
      assert.ok(
        docs.some((s) => Object.keys(s).length === 3),
        'a model with no surcharge at all: only id, name, accumulation',
      );
    });

    it('surcharge components: day-bound ones say where they cross midnight, night ones do not', async () => {
      const models = (await call(base, '/v2/surchargeModels')).body.data as Json[];
      const configured = (c: string) => models.map((m) => m[c]).filter((v): v is Json => v !== null);
      for (const c of ['night', 'night_increased']) {
        for (const config of configured(c)) {
          assert.deepEqual(Object.keys(config).sort(), ['percent', 'time_since', 'time_until'], c);
        }
      }
      const flags: unknown[] = [];
      for (const c of ['nonbusiness', 'nonbusiness_special', 'sunday', 'saturday']) {
        assert.ok(configured(c).length > 0, `${c} configured somewhere`);
        for (const config of configured(c)) {
          assert.deepEqual(
            Object.keys(config).sort(),
            ['percent', 'time_since', 'time_since_is_previous_day', 'time_until', 'time_until_is_next_day'],
            c,
          );
          flags.push(config.time_since_is_previous_day, config.time_until_is_next_day);
        }
      }
      assert.ok(flags.every((f) => typeof f === 'boolean'));
      assert.ok(flags.includes(true) && flags.includes(false), 'both values occur');
    });
  });

  describe('nonbusiness days and groups', () => {
    it('/nonbusinessdays (docs) sends half_day as 0 or 1, /v2/nonbusinessDays (SDK) as a boolean with evaluated_date', async () => {
      for (const year of years) {
        const docs = (await call(base, '/nonbusinessdays', { year })).body.nonbusinessdays as Json[];
        const sdk = (await call(base, '/v2/nonbusinessDays', { year })).body.data as Json[];
        assert.deepEqual(idsOf(docs), idsOf(sdk), `${year}: the same days`);
        assert.ok(docs.some((d) => d.half_day === 1) && docs.some((d) => d.half_day === 0));
        assert.ok(sdk.some((d) => d.half_day === true) && sdk.some((d) => d.half_day === false));
        for (const [i, d] of docs.entries()) {
          assert.equal(d.half_day, sdk[i].half_day ? 1 : 0);
          assert.equal(d.date, sdk[i].evaluated_date);
          assert.equal(d.nonbusinessgroups_id, sdk[i].nonbusiness_group_id);
          assert.ok((d.date as string).startsWith(`${year}-`));
        }
      }
    });

    it('SDK rows carry special_id (SPECIAL), day and month (DISTINCT_RECURRING), and year (DISTINCT_ONCE)', async () => {
      const types = new Set<unknown>();
      for (const year of years) {
        const sdk = (await call(base, '/v2/nonbusinessDays', { year })).body.data as Json[];
        for (const d of sdk) {
          types.add(d.type);
          const extra = Object.keys(d).filter((k) => !(k in SDK_NONBUSINESS_DAY.fields));
          const date = d.evaluated_date as string;
          if (d.type === 'SPECIAL') {
            assert.deepEqual(extra, ['special_id']);
          } else if (d.type === 'DISTINCT_RECURRING') {
            assert.deepEqual(extra, ['day', 'month']);
            assert.equal(`${year}-${pad(d.month)}-${pad(d.day)}`, date);
          } else {
            assert.equal(d.type, 'DISTINCT_ONCE');
            assert.deepEqual(extra, ['day', 'month', 'year']);
            assert.equal(`${d.year as number}-${pad(d.month)}-${pad(d.day)}`, date);
            assert.equal(d.year, year);
          }
        }
      }
      assert.deepEqual([...types].sort(), ['DISTINCT_ONCE', 'DISTINCT_RECURRING', 'SPECIAL']);
    });

    it('a recurring day keeps its id in every year; each DISTINCT_ONCE day has an id of its own', async () => {
      const idsByName = new Map<string, Set<number>>();
      const onceIds: number[] = [];
      const recurringIds = new Set<number>();
      for (const year of years) {
        const sdk = (await call(base, '/v2/nonbusinessDays', { year })).body.data as Json[];
        for (const d of sdk) {
          if (d.type === 'DISTINCT_ONCE') {
            onceIds.push(d.id as number);
            continue;
          }
          recurringIds.add(d.id as number);
          const ids = idsByName.get(d.name as string) ?? new Set<number>();
          idsByName.set(d.name as string, ids.add(d.id as number));
        }
      }
      assert.ok(idsByName.size >= 10);
      for (const [name, ids] of idsByName) assert.equal(ids.size, 1, `${name}: one id in all years`);
      assert.equal(recurringIds.size, idsByName.size, 'one id per holiday');
      // Karfreitag moves with Easter and still keeps its id.
      const karfreitag = [...idsByName.get('Karfreitag')!][0];
      const dates = allNonbusinessDays(dataset)
        .filter((d) => d.id === karfreitag)
        .map((d) => d.evaluated_date);
      assert.equal(new Set(dates).size, years.length);
      assert.ok(onceIds.length >= 2, 'some one-off days');
      assert.equal(new Set(onceIds).size, onceIds.length, 'one-off ids unique');
      assert.ok(
        onceIds.every((id) => !recurringIds.has(id)),
        'and unlike every recurring id',
      );
      assert.ok(
        [...recurringIds, ...onceIds].every((id) => Number.isSafeInteger(id) && id >= 0),
        'non-negative integers',
      );
    });

    it('filters by group under each route’s own parameter name', async () => {
      const byGroup = async (route: string, param: string, key: string, group: number) =>
        (await call(base, route, { year: 2024, [param]: group })).body[key] as Json[];
      const docs = await byGroup('/nonbusinessdays', 'nonbusinessgroups_id', 'nonbusinessdays', 8);
      const sdk = await byGroup('/v2/nonbusinessDays', 'nonbusiness_group_id', 'data', 8);
      assert.ok(docs.length > 0 && docs.every((d) => d.nonbusinessgroups_id === 8));
      assert.deepEqual(idsOf(sdk), idsOf(docs));
      assert.ok(sdk.every((d) => d.nonbusiness_group_id === 8));
      const all = (await call(base, '/v2/nonbusinessDays', { year: 2024 })).body.data as Json[];
      assert.ok(sdk.length < all.length);
    });

    it('lists the groups the days use, with exactly one company default', async () => {
      const groups = (await call(base, '/v2/nonbusinessGroups')).body.data as Json[];
      const used = new Set(allNonbusinessDays(dataset).map((d) => d.nonbusiness_group_id));
      assert.deepEqual(
        idsOf(groups),
        [...used].sort((a, b) => a - b),
      );
      assert.deepEqual(idsOf(groups), [3, 8]);
      assert.equal(groups.filter((g) => g.company_default === true).length, 1);
    });
  });

  describe('subprojects', () => {
    it('pages through every subproject by id; each belongs to an existing project', async () => {
      const rows = await readAllPages(base, '/v3/subprojects', 'data', {}, 9);
      assert.ok(rows.length > 9 * 2, 'several pages');
      assert.deepEqual(rows, dataset.subprojects);
      assert.ok(ascending(idsOf(rows)));
      const projects = new Set(dataset.projects.map((p) => p.id));
      assert.ok(rows.every((s) => projects.has(s.projects_id as number)));
      const past = await call(base, '/v3/subprojects', { page: 999, items_per_page: 9 });
      assert.deepEqual(past.body.data, []);
      assert.equal((past.body.paging as Paging).count_items, rows.length);
    });

    it('filters by project, active and completed', async () => {
      const projectsId = dataset.subprojects[0].projects_id;
      const cases: [Params, (s: Dataset['subprojects'][number]) => boolean][] = [
        [{ 'filter[projects_id]': projectsId }, (s) => s.projects_id === projectsId],
        [{ 'filter[active]': 0 }, (s) => !s.active],
        [{ 'filter[completed]': 'true' }, (s) => s.completed],
        [{ 'filter[active]': 1, 'filter[completed]': 0 }, (s) => s.active && !s.completed],
      ];
      for (const [params, wanted] of cases) {
        const rows = await readAllPages(base, '/v3/subprojects', 'data', params, 5);
        const expected = dataset.subprojects.filter(wanted);
        assert.ok(expected.length > 0, JSON.stringify(params));
        assert.deepEqual(idsOf(rows), idsOf(expected as unknown as Json[]), JSON.stringify(params));
      }
      const bad = await call(base, '/v3/subprojects', { 'filter[completed]': 'maybe' });
      assert.equal(bad.status, 400);
      assert.deepEqual((bad.body.error as { fields: string[] }).fields, ['filter[completed]']);
    });
  });

  it('overtime reductions: by id, optionally of one user', async () => {
    const all = (await call(base, '/v3/overtimeReductions')).body.data as Json[];
    assert.deepEqual(all, dataset.overtime_reductions);
    const usersId = dataset.overtime_reductions[0].users_id;
    const mine = (await call(base, '/v3/overtimeReductions', { users_id: usersId })).body.data as Json[];
    assert.ok(mine.length > 0 && mine.length < all.length);
    assert.ok(mine.every((r) => r.users_id === usersId));
  });

  describe('work time change requests', () => {
    it('page by id; declined ones say when and by whom, open ones do not', async () => {
      const rows = await readAllPages(base, '/v2/workTimes/changeRequests', 'data', {}, 8);
      assert.ok(rows.length > 8 * 2, 'several pages');
      assert.deepEqual(rows, dataset.work_time_change_requests);
      assert.ok(ascending(idsOf(rows)));
      for (const r of rows) {
        if (r.status === 2) {
          assert.ok(r.declined_at >= r.created_at);
          assert.ok(dataset.users.some((u) => u.id === r.declined_by));
        } else {
          assert.equal(r.status, 1);
          assert.ok(!('declined_at' in r) && !('declined_by' in r));
        }
        assert.ok(r.changes.length > 0);
        for (const c of r.changes) {
          assert.deepEqual(Object.keys(c).sort(), ['time_since', 'time_until', 'type']);
          assert.ok([1, 2].includes(c.type));
          assert.ok(c.time_since < c.time_until);
          assert.match(c.time_since, DATETIME);
        }
      }
      assert.ok(rows.some((r) => r.status === 1) && rows.some((r) => r.status === 2));
    });

    it('filter by status, user and dates', async () => {
      const requests = dataset.work_time_change_requests;
      const usersId = requests[0].users_id;
      const dates = requests.map((r) => r.date).sort();
      const middle = dates[Math.floor(dates.length / 2)];
      const cases: [Params, (r: (typeof requests)[number]) => boolean][] = [
        [{ status: 2 }, (r) => r.status === 2],
        [{ status: 1, users_id: usersId }, (r) => r.status === 1 && r.users_id === usersId],
        [{ date_since: middle }, (r) => r.date >= middle],
        [{ date_until: middle }, (r) => r.date <= middle],
        [{ date_since: dates[0], date_until: middle }, (r) => r.date <= middle],
      ];
      for (const [params, wanted] of cases) {
        const rows = await readAllPages(base, '/v2/workTimes/changeRequests', 'data', params, 10);
        const expected = requests.filter(wanted).map((r) => r.id);
        assert.ok(expected.length > 0 && expected.length < requests.length, JSON.stringify(params));
        assert.deepEqual(idsOf(rows), expected, JSON.stringify(params));
      }
    });
  });

  describe('required and malformed parameters', () => {
    const expect400 = async (route: string, params: Record<string, string>, fields: string[]) => {
      const r = await call(base, route, params);
      assert.equal(r.status, 400, `${route} ${JSON.stringify(params)}`);
      const error = r.body.error as { message: string; fields?: string[] };
      assert.equal(typeof error.message, 'string');
      assert.deepEqual(error.fields, fields, `${route} ${JSON.stringify(params)}`);
    };

    it('wants a year for both nonbusiness day routes, user reports and (as filter[year]) today’s absences', async () => {
      for (const route of ['/nonbusinessdays', '/v2/nonbusinessDays']) {
        await expect400(route, {}, ['year']);
        await expect400(route, { year: '24' }, ['year']);
        await expect400(route, { 'filter[year]': '2024' }, ['year']);
      }
      await expect400('/nonbusinessdays', { year: '2024', nonbusinessgroups_id: 'x' }, [
        'nonbusinessgroups_id',
      ]);
      await expect400('/v2/nonbusinessDays', { year: '2024', nonbusiness_group_id: '0' }, [
        'nonbusiness_group_id',
      ]);
      await expect400('/userreports', {}, ['year']);
      await expect400('/userreports', { year: 'next' }, ['year']);
      await expect400('/v4/absences', {}, ['filter[year]']);
      await expect400('/v4/absences', { year: '2024' }, ['filter[year]']);
      await expect400('/v2/absences', { 'filter[year]': '2024' }, ['year']);
    });

    it('takes an optional year and user on the carry and quota routes of both families', async () => {
      for (const route of ['/holidayscarry', '/v3/holidaysCarry', '/v2/holidaysQuota', '/v3/overtimeCarry']) {
        await expect400(route, { year: '99' }, ['year']);
        await expect400(route, { users_id: '-1' }, ['users_id']);
      }
      const carry = dataset.holidays_carry[0];
      const rows = (await call(base, '/v3/holidaysCarry', { users_id: carry.users_id, year: carry.year }))
        .body.data as Json[];
      assert.deepEqual(rows, [carry]);
      const quota = (await call(base, '/v2/holidaysQuota', { year: years[0] })).body.data as Json[];
      assert.deepEqual(
        quota,
        dataset.holidays_quota.filter(
          (q) => q.year_since <= years[0] && (q.year_until === null || years[0] <= q.year_until),
        ),
      );
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

    it('checks the optional dates, status and user of the change requests like the work times window', async () => {
      const route = '/v2/workTimes/changeRequests';
      await expect400(route, { date_since: '2024-02-30' }, ['date_since']);
      await expect400(route, { date_until: 'yesterday' }, ['date_until']);
      await expect400(route, { date_since: '2024-03-02', date_until: '2024-03-01' }, [
        'date_since',
        'date_until',
      ]);
      await expect400(route, { status: '3' }, ['status']);
      await expect400(route, { users_id: 'me' }, ['users_id']);
      await expect400(route, { page: '0' }, ['page']);
    });
  });

  describe('work times', () => {
    it('serves no work time day before 2023-08-21, from which on the docs say the data is valid', async () => {
      assert.equal(WORK_TIMES_FIRST_DATE, '2023-08-21');
      const before = await call(base, '/v2/workTimes', {
        date_since: '2023-01-01',
        date_until: '2023-08-20',
      });
      assert.deepEqual(before.body.work_time_days, []);
      const entriesBefore = dataset.entries.filter(
        (e) => e.type === 1 && e.time_until !== null && e.time_since < '2023-08-21',
      );
      assert.ok(entriesBefore.length > 0, 'there is time booked before that date');
      const from = await readAllPages(
        base,
        '/v2/workTimes',
        'work_time_days',
        { date_since: '2023-08-21', date_until: '2023-08-31' },
        50,
      );
      assert.ok(from.length > 0 && from.every((d) => (d.date as string) >= '2023-08-21'));
      assert.ok(dataset.work_times.every((d) => d.date >= WORK_TIMES_FIRST_DATE));
    });

    it('reads date_until inclusively by default', async () => {
      const date = dataset.work_times[Math.floor(dataset.work_times.length / 2)].date;
      const oneDay = await readAllPages(
        base,
        '/v2/workTimes',
        'work_time_days',
        { date_since: date, date_until: date },
        3,
      );
      assert.ok(oneDay.length > 0);
      assert.deepEqual(
        oneDay,
        dataset.work_times.filter((d) => d.date === date),
      );
      const empty = await call(base, '/v2/workTimes', { date_since: '1999-01-01', date_until: '1999-12-31' });
      assert.deepEqual(empty.body.work_time_days, []);
      assert.equal((empty.body.paging as Paging).count_pages, 1);
    });

    it('reads date_until exclusively when told to, for work times and change requests alike', async () => {
      const exclusive = await startApiServer({
        dataset,
        credentials: CREDENTIALS,
        workTimesUntil: 'exclusive',
      });
      try {
        // Two days that both have work time days.
        const dates = [...new Set(dataset.work_times.map((d) => d.date))];
        const i = dates.findIndex((d, k) => k > 0 && dates[k + 1] === nextDay(d));
        const [day, next] = [dates[i], dates[i + 1]];
        const window = { date_since: day, date_until: next };
        const read = async (url: string, params: Params) =>
          (await readAllPages(url, '/v2/workTimes', 'work_time_days', params, 1000)).map((d) => d.date);
        const inclusiveDates = await read(base, window);
        const exclusiveDates = await read(exclusive.url, window);
        assert.ok(
          inclusiveDates.includes(day) && inclusiveDates.includes(next),
          'inclusive keeps date_until',
        );
        assert.ok(exclusiveDates.length > 0 && exclusiveDates.every((d) => d === day), 'exclusive drops it');
        assert.deepEqual(await read(exclusive.url, { date_since: day, date_until: day }), []);

        const request = dataset.work_time_change_requests[0];
        const upTo = { date_since: request.date, date_until: request.date };
        const ids = async (url: string, params: Params) =>
          idsOf(await readAllPages(url, '/v2/workTimes/changeRequests', 'data', params, 1000));
        assert.ok((await ids(base, upTo)).includes(request.id));
        assert.ok(!(await ids(exclusive.url, upTo)).includes(request.id));
        const dayAfter = { date_since: request.date, date_until: nextDay(request.date) };
        assert.ok((await ids(exclusive.url, dayAfter)).includes(request.id));
      } finally {
        await exclusive.close();
      }
    });

    it('refuses any other reading of date_until', async () => {
      await assert.rejects(
        startApiServer({
          dataset,
          credentials: CREDENTIALS,
          workTimesUntil: 'both' as unknown as 'inclusive',
        }),
        /workTimesUntil/,
      );
    });
  });

  it('serves changes to the dataset on the next request (no cache)', async () => {
    const users = dataset.users;
    const removed = users.splice(1, 1)[0];
    const edited = { ...users[0], name: 'Renamed Ünïcode 🎉' };
    users[0] = edited;
    const days = dataset.work_times;
    const day = days[0];
    days[0] = { ...day, offset: day.offset + 60 };
    const carries = dataset.holidays_carry;
    const carry = carries[0];
    carries[0] = { ...carry, count: carry.count + 1 };
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
      const old = (await call(base, '/holidayscarry')).body.holidayscarry as Json[];
      assert.equal(old[0].count, carry.count + 1);
    } finally {
      users.splice(1, 0, removed);
      days[0] = day;
      carries[0] = carry;
    }
  });

  it('answers /__control/records for every resource, the per-year lists with their year', async () => {
    const control = base.replace(/\/api$/, '/__control');
    const names = Object.keys(dataset);
    for (const name of [
      'subprojects',
      'nonbusiness_groups',
      'nonbusiness_days',
      'overtime_reductions',
      'work_time_change_requests',
    ]) {
      assert.ok(names.includes(name), name);
    }
    for (const name of names) {
      const res = await fetch(`${control}/records?resource=${name}`);
      assert.equal(res.status, 200, name);
      const { total, records } = (await res.json()) as { total: number; records: Json[] };
      assert.equal(records.length, total, name);
      assert.ok(total > 0, name);
      if (name === 'user_reports' || name === 'nonbusiness_days') {
        const perYear = dataset[name];
        assert.equal(total, Object.values(perYear).flat().length, name);
        assert.ok(records.every((r) => years.includes(r.year as number)));
        const first = name === 'user_reports' ? 'users_id' : 'id';
        const keys = records.map((r) => [r[first] as number, r.year as number]);
        assert.ok(
          keys.every(
            (k, i) => i === 0 || keys[i - 1][0] < k[0] || (keys[i - 1][0] === k[0] && keys[i - 1][1] < k[1]),
          ),
          `${name}: by (${first}, year)`,
        );
      } else if (name === 'work_times') {
        assert.deepEqual(records, dataset.work_times);
      } else {
        assert.ok(ascending(idsOf(records)), name);
        assert.deepEqual(records, dataset[name as keyof Dataset], name);
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

const pad = (n: unknown): string => String(n).padStart(2, '0');

function uniqueById(rows: Json[]): Json[] {
  const byId = new Map(rows.map((r) => [r.id as number, r]));
  return [...byId.values()].sort((a, b) => (a.id as number) - (b.id as number));
}

/** A resource reading route `r`, as a configuration would name it (only what servedRecords looks at). */
function resourceFor(r: RouteCase, recordField?: string): ResourceConfig {
  return {
    name: r.list,
    primary_key: ['id'],
    key_column: 'id',
    write_disposition: 'merge',
    endpoint: {
      path: r.path,
      data_selector: [r.key],
      params: {},
      ...(r.yearParam && {
        partition_router: {
          type: 'list' as const,
          values: [],
          cursor_field: 'year',
          request_option: { inject_into: 'request_parameter' as const, field_name: r.yearParam },
          ...(recordField && { record_field: recordField }),
        },
      }),
    },
    columns: recordField ? { [recordField]: { kind: 'int', nullable: false } } : {},
  };
}

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
      'subprojects',
      'target_hours',
      'holidays_carry',
      'overtime_reductions',
      'work_times',
      'work_time_change_requests',
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
    const days = allNonbusinessDays(d);
    assert.ok(days.some((n) => n.id > 2_000_000_000));
    assert.ok(days.some((n) => n.half_day) && days.some((n) => /ä/.test(n.name)));
    assert.ok(days.some((n) => n.surcharge_special) && days.some((n) => !n.surcharge_special));
    assert.ok(d.subprojects.some((s) => s.id > 2_000_000_000));
    for (const field of [
      'number',
      'note',
      'budget',
      'billed_money',
      'completed_at',
      'start_date',
      'deadline',
    ] as const) {
      assert.ok(
        d.subprojects.some((s) => s[field] === null) && d.subprojects.some((s) => s[field] !== null),
        `subprojects.${field}: null and set`,
      );
    }
    assert.ok(
      d.subprojects.some((s) => s.budget?.monetary) &&
        d.subprojects.some((s) => s.budget?.monetary === false),
    );
    assert.ok(
      d.overtime_reductions.some((r) => r.note === null) && d.overtime_reductions.some((r) => r.note),
    );
    assert.ok(d.overtime_reductions.some((r) => r.added_by_users_id !== r.users_id));
    assert.ok(d.target_hours.some((t) => t.type === 'monthly' && t.monday === null));
    assert.ok(
      d.target_hours.some((t) => t.date_until === null) && d.target_hours.some((t) => t.date_until !== null),
    );
    assert.ok(d.holidays_carry.some((c) => c.note === null) && d.holidays_carry.some((c) => c.note !== null));
    assert.ok(Object.values(d.user_reports).some((rows) => rows.some((r) => r.holidays_quota === null)));
    assert.ok(d.services.some((s) => !s.active) && d.services.some((s) => s.number === null));
    assert.ok(d.lumpsum_services.some((s) => s.unit === null));
  });

  it('has about 60 to 80 subprojects, a few dozen change requests, a few reductions per user', () => {
    assert.ok(d.subprojects.length >= 60 && d.subprojects.length <= 80, `${d.subprojects.length}`);
    const withParts = new Set(d.subprojects.map((s) => s.projects_id));
    assert.ok(withParts.size < d.projects.length / 2, 'most projects have none');
    const perProject = [...withParts].map((id) => d.subprojects.filter((s) => s.projects_id === id).length);
    assert.ok(perProject.every((n) => n >= 1 && n <= 3));
    const requests = d.work_time_change_requests.length;
    assert.ok(requests >= 24 && requests <= 60, `${requests}`);
    const reductions = d.overtime_reductions.length / d.users.length;
    assert.ok(reductions >= 1 && reductions <= 6, `${reductions} per user`);
  });

  it('has German public holidays with Easter-dependent dates', () => {
    const names = (year: number) =>
      new Map(d.nonbusiness_days[String(year)].map((n) => [n.name, n.evaluated_date]));
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
      // Lists kept per year are checked per year below; work time days have no id.
      if (!Array.isArray(records) || name === 'work_times') continue;
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
    const projectIds = new Set(d.projects.map((p) => p.id));
    for (const s of d.subprojects) {
      assert.ok(projectIds.has(s.projects_id), `subproject ${s.id} project`);
      assert.equal(s.completed, s.completed_at !== null, `subproject ${s.id} completed_at`);
      if (s.start_date !== null && s.deadline !== null) assert.ok(s.start_date <= s.deadline);
      if (s.completed_at !== null) assert.ok(s.completed_at <= NOW.toISOString());
    }
    for (const r of d.overtime_reductions) {
      assert.ok(userIds.has(r.users_id), `reduction ${r.id} user`);
      assert.ok(userIds.has(r.added_by_users_id), `reduction ${r.id} added by`);
      assert.ok(size.years.includes(Number(r.date.slice(0, 4))), `reduction ${r.id} in the years`);
      assert.ok(r.added_at <= NOW.toISOString().slice(0, 10), `reduction ${r.id} added by now`);
    }
    for (const r of d.work_time_change_requests) {
      assert.ok(userIds.has(r.users_id), `change request ${r.id} user`);
      assert.ok(r.date >= WORK_TIMES_FIRST_DATE, `change request ${r.id} date`);
      assert.ok(r.created_at <= NOW.toISOString(), `change request ${r.id} created by now`);
      if (r.status === 2) {
        assert.ok(userIds.has(r.declined_by), `change request ${r.id} declined by`);
        assert.ok(r.declined_at <= NOW.toISOString());
      }
      for (const c of r.changes)
        assert.equal(c.time_since.slice(0, 10), r.date, `change request ${r.id} day`);
    }
    const groups = d.nonbusiness_groups.map((g) => g.id);
    assert.equal(d.nonbusiness_groups.filter((g) => g.company_default).length, 1);
    for (const u of d.users) {
      const rows = d.target_hours
        .filter((t) => t.users_id === u.id)
        .sort((a, b) => a.date_since.localeCompare(b.date_since));
      assert.ok(
        rows.length >= 1 && rows[rows.length - 1].date_until === null,
        `user ${u.id}: open target hours`,
      );
    }
    assert.deepEqual(Object.keys(d.nonbusiness_days), size.years.map(String));
    for (const year of size.years) {
      const days = d.nonbusiness_days[String(year)];
      assert.ok(days.length >= 10, `${year}: holidays`);
      assert.ok(
        days.every((n) => n.evaluated_date.startsWith(`${year}-`)),
        `${year}: dates in the year`,
      );
      assert.ok(
        days.every((n) => groups.includes(n.nonbusiness_group_id)),
        `${year}: groups exist`,
      );
      const ids = days.map((n) => n.id);
      assert.ok(
        ids.every((id, i) => i === 0 || ids[i - 1] < id),
        `${year}: unique, in id order`,
      );
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
    // Work time days: one per user and date with finished time entries from WORK_TIMES_FIRST_DATE on;
    // intervals inside those entries.
    const finished = d.entries.filter(
      (e) => e.type === 1 && e.time_until !== null && e.time_since.slice(0, 10) >= WORK_TIMES_FIRST_DATE,
    );
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
