// The local Clockodo API server, exercised over real HTTP with Node's fetch.
import { strict as assert } from 'assert';
import type { ChildProcess } from 'child_process';
import { DEFAULT_SIZE, generateDataset } from '../../api-server/data-generator';
import { spawnApiServerMain } from '../api-server-cli';
import { RunningApiServer, startApiServer } from '../../api-server/server';
import { Absence, Customer, Dataset, Entry, Project } from '../../api-server/types';
// Generator tests live in their own file; importing it here makes this file the single entry point.
import './api-server-generator.test';

const NOW = new Date('2025-06-15T10:30:00Z');
const CREDENTIALS = { email: 'tester@example.com', apiKey: 'sup3r-s3cret-key' };
const APP = 'api-server-test;tester@example.com';

interface Paging {
  items_per_page: number;
  current_page: number;
  count_pages: number;
  count_items: number;
}
interface ErrorBody {
  error: { message: string; fields?: string[] };
}
type Paged<K extends string, T> = { paging: Paging } & Record<K, T[]>;

type Auth = 'basic' | 'headers' | 'none' | 'wrong-key' | 'wrong-email';
interface CallOptions {
  auth?: Auth;
  app?: string | null;
  method?: string;
}
interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

function authHeaders(auth: Auth): Record<string, string> {
  const basic = (email: string, key: string): Record<string, string> => ({
    Authorization: `Basic ${Buffer.from(`${email}:${key}`).toString('base64')}`,
  });
  switch (auth) {
    case 'basic':
      return basic(CREDENTIALS.email, CREDENTIALS.apiKey);
    case 'headers':
      return { 'X-ClockodoApiUser': CREDENTIALS.email, 'X-ClockodoApiKey': CREDENTIALS.apiKey };
    case 'wrong-key':
      return basic(CREDENTIALS.email, 'not-the-key');
    case 'wrong-email':
      return { 'X-ClockodoApiUser': 'other@example.com', 'X-ClockodoApiKey': CREDENTIALS.apiKey };
    case 'none':
      return {};
  }
}

async function call<T = ErrorBody>(
  baseUrl: string,
  route: string,
  params: Record<string, string | number> = {},
  options: CallOptions = {},
): Promise<Reply<T>> {
  const url = new URL(baseUrl + route);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const headers = authHeaders(options.auth ?? 'basic');
  const app = options.app === undefined ? APP : options.app;
  if (app !== null) headers['X-Clockodo-External-Application'] = app;
  const res = await fetch(url, { method: options.method ?? 'GET', headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as T, text };
}

async function readAllPages<K extends string, T extends { id: number }>(
  baseUrl: string,
  route: string,
  key: K,
  params: Record<string, string | number>,
): Promise<{ items: T[]; pagings: Paging[] }> {
  const items: T[] = [];
  const pagings: Paging[] = [];
  for (let page = 1; page < 10_000; page++) {
    const r = await call<Paged<K, T>>(baseUrl, route, { ...params, page });
    assert.equal(r.status, 200, r.text);
    pagings.push(r.body.paging);
    items.push(...r.body[key]);
    if (r.body.paging.current_page >= r.body.paging.count_pages) break;
  }
  return { items, pagings };
}

function inWindow(e: Entry, since: string, until: string): boolean {
  return e.time_since >= since && e.time_since <= until;
}

describe('api-server HTTP', () => {
  let server: RunningApiServer;
  let base: string;
  let dataset: Dataset;

  before(async () => {
    dataset = generateDataset(7, DEFAULT_SIZE(NOW), NOW);
    server = await startApiServer({ dataset, credentials: CREDENTIALS });
    base = server.url;
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => server.clearFaults());

  it('exposes a base URL ending in /api on a free port', () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/api$/);
    assert.ok(server.port > 0);
    assert.equal(server.dataset, dataset);
  });

  describe('authentication and headers', () => {
    it('accepts HTTP Basic and the X-ClockodoApi* headers', async () => {
      for (const auth of ['basic', 'headers'] as const) {
        const r = await call<Paged<'customers', Customer>>(base, '/v2/customers', {}, { auth });
        assert.equal(r.status, 200, auth);
        assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.equal(r.body.customers.length, dataset.customers.length);
      }
    });

    it('answers 401 with the error body for missing or wrong credentials, never echoing the key', async () => {
      for (const auth of ['none', 'wrong-key', 'wrong-email'] as const) {
        const r = await call(base, '/v2/customers', {}, { auth });
        assert.equal(r.status, 401, auth);
        assert.equal(typeof r.body.error.message, 'string');
        assert.ok(!r.text.includes('not-the-key') && !r.text.includes(CREDENTIALS.apiKey));
      }
    });

    it('checks auth before the external-application header', async () => {
      const r = await call(base, '/v2/customers', {}, { auth: 'none', app: null });
      assert.equal(r.status, 401);
    });

    it('requires X-Clockodo-External-Application of at most 50 characters', async () => {
      for (const app of [null, '', 'x'.repeat(51)]) {
        const r = await call(base, '/v2/customers', {}, { app });
        assert.equal(r.status, 400, String(app));
        assert.deepEqual(r.body.error.fields, ['X-Clockodo-External-Application']);
      }
      assert.equal((await call(base, '/v2/customers', {}, { app: 'y'.repeat(50) })).status, 200);
    });

    it('answers 404 for unknown routes and 405 for other methods', async () => {
      for (const route of ['/v2/nothing', '/v5/customers', '/v2/entries/1', '/v2/userreports']) {
        const r = await call(base, route);
        assert.equal(r.status, 404, route);
        assert.equal(typeof r.body.error.message, 'string');
      }
      const outside = await fetch(base.replace(/\/api$/, '/v2/customers'));
      assert.equal(outside.status, 404);
      await outside.text();
      const post = await call(base, '/v2/customers', {}, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET');
    });
  });

  describe('paging', () => {
    it('covers every project exactly once across pages, in id order', async () => {
      const { items, pagings } = await readAllPages<'projects', Project>(base, '/v2/projects', 'projects', {
        items_per_page: 7,
      });
      const ids = items.map((p) => p.id);
      const expected = dataset.projects.map((p) => p.id).sort((a, b) => a - b);
      assert.deepEqual(ids, expected);
      assert.equal(pagings.length, Math.ceil(expected.length / 7));
      pagings.forEach((p, i) => {
        assert.deepEqual(p, {
          items_per_page: 7,
          current_page: i + 1,
          count_pages: pagings.length,
          count_items: expected.length,
        });
      });
    });

    it('covers every entry exactly once with the default page size', async () => {
      const params = { time_since: '2000-01-01T00:00:00Z', time_until: '2100-01-01T00:00:00Z' };
      const { items, pagings } = await readAllPages<'entries', Entry>(base, '/v2/entries', 'entries', params);
      assert.equal(pagings[0].items_per_page, 1000);
      assert.equal(pagings[0].count_pages, 6);
      assert.deepEqual(
        items.map((e) => e.id),
        dataset.entries.map((e) => e.id).sort((a, b) => a - b),
      );
    });

    it('answers an empty list past the last page, with current_page as asked', async () => {
      const r = await call<Paged<'customers', Customer>>(base, '/v2/customers', {
        page: 99,
        items_per_page: 10,
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.customers, []);
      assert.deepEqual(r.body.paging, {
        items_per_page: 10,
        current_page: 99,
        count_pages: 4,
        count_items: 40,
      });
    });

    it('reports count_pages 1 for an empty result', async () => {
      const r = await call<Paged<'projects', Project>>(base, '/v2/projects', { 'filter[customers_id]': 1 });
      assert.deepEqual(r.body.paging, {
        items_per_page: 1000,
        current_page: 1,
        count_pages: 1,
        count_items: 0,
      });
      assert.deepEqual(r.body.projects, []);
    });

    it('rejects malformed page and items_per_page', async () => {
      for (const [name, value] of [
        ['page', '0'],
        ['page', 'abc'],
        ['page', '1.5'],
        ['items_per_page', '-3'],
        ['items_per_page', ''],
      ]) {
        const r = await call(base, '/v2/customers', { [name]: value });
        assert.equal(r.status, 400, `${name}=${value}`);
        assert.deepEqual(r.body.error.fields, [name]);
      }
    });

    it('caps items_per_page at the server maximum', async () => {
      const capped = await startApiServer({ dataset, credentials: CREDENTIALS, maxItemsPerPage: 25 });
      try {
        const r = await call<Paged<'projects', Project>>(capped.url, '/v2/projects', {
          items_per_page: 1000,
        });
        assert.equal(r.body.paging.items_per_page, 25);
        assert.equal(r.body.paging.count_pages, Math.ceil(dataset.projects.length / 25));
        assert.equal(r.body.projects.length, 25);
      } finally {
        await capped.close();
      }
    });
  });

  describe('filters', () => {
    it('filters projects by customer and active flag', async () => {
      const customersId = dataset.projects[0].customers_id;
      const r = await call<Paged<'projects', Project>>(base, '/v2/projects', {
        'filter[customers_id]': customersId,
        'filter[active]': 'true',
      });
      const expected = dataset.projects.filter((p) => p.customers_id === customersId && p.active);
      assert.deepEqual(
        r.body.projects.map((p) => p.id),
        expected.map((p) => p.id),
      );
      const bad = await call(base, '/v2/projects', { 'filter[active]': 'maybe' });
      assert.equal(bad.status, 400);
    });

    it('filters customers by active flag', async () => {
      const r = await call<Paged<'customers', Customer>>(base, '/v2/customers', { 'filter[active]': 0 });
      assert.ok(r.body.customers.length > 0);
      assert.equal(r.body.customers.length, dataset.customers.filter((c) => !c.active).length);
    });

    it('filters entries by user, customer, project and billable', async () => {
      const sample = dataset.entries.find((e) => e.projects_id !== null);
      assert.ok(sample);
      const window = { time_since: '2000-01-01T00:00:00Z', time_until: '2100-01-01T00:00:00Z' };
      const cases: [string, number, (e: Entry) => boolean][] = [
        ['filter[users_id]', sample.users_id, (e) => e.users_id === sample.users_id],
        ['filter[customers_id]', sample.customers_id, (e) => e.customers_id === sample.customers_id],
        ['filter[projects_id]', sample.projects_id ?? 0, (e) => e.projects_id === sample.projects_id],
        ['filter[billable]', 2, (e) => e.billable === 2],
      ];
      for (const [name, value, predicate] of cases) {
        const r = await call<Paged<'entries', Entry>>(base, '/v2/entries', { ...window, [name]: value });
        assert.equal(r.body.paging.count_items, dataset.entries.filter(predicate).length, name);
      }
    });
  });

  describe('absences', () => {
    it('requires a four-digit year', async () => {
      for (const params of [{}, { year: 'abcd' }, { year: '25' }] as Record<string, string>[]) {
        const r = await call(base, '/v2/absences', params);
        assert.equal(r.status, 400, JSON.stringify(params));
        assert.deepEqual(r.body.error.fields, ['year']);
      }
    });

    it('lists an absence spanning December–January under both years, unpaged', async () => {
      const spanning = dataset.absences.find(
        (a) => a.date_since.startsWith('2023-12') && a.date_until.startsWith('2024-01'),
      );
      assert.ok(spanning);
      for (const year of [2023, 2024]) {
        const r = await call<{ absences: Absence[]; paging?: Paging }>(base, '/v2/absences', { year });
        assert.equal(r.status, 200);
        assert.equal(r.body.paging, undefined);
        assert.ok(
          r.body.absences.some((a) => a.id === spanning.id),
          `year ${year}`,
        );
        assert.ok(
          r.body.absences.every((a) => a.date_since <= `${year}-12-31` && a.date_until >= `${year}-01-01`),
        );
      }
      const r = await call<{ absences: Absence[] }>(base, '/v2/absences', {
        year: 2024,
        users_id: spanning.users_id,
      });
      assert.ok(r.body.absences.length > 0 && r.body.absences.every((a) => a.users_id === spanning.users_id));
    });
  });

  describe('entries', () => {
    it('requires time_since and time_until', async () => {
      const cases: [Record<string, string>, string[]][] = [
        [{}, ['time_since', 'time_until']],
        [{ time_since: '2024-01-01T00:00:00Z' }, ['time_until']],
        [{ time_until: '2024-01-01T00:00:00Z' }, ['time_since']],
      ];
      for (const [params, fields] of cases) {
        const r = await call(base, '/v2/entries', params);
        assert.equal(r.status, 400);
        assert.deepEqual(r.body.error.fields, fields);
      }
    });

    it('rejects garbage datetimes and reversed windows', async () => {
      for (const params of [
        { time_since: 'yesterday', time_until: '2024-01-01T00:00:00Z' },
        { time_since: '2024-02-30T00:00:00Z', time_until: '2024-03-01T00:00:00Z' },
        { time_since: '2024-06-01T00:00:00Z', time_until: '2024-01-01T00:00:00Z' },
      ]) {
        assert.equal((await call(base, '/v2/entries', params)).status, 400, JSON.stringify(params));
      }
    });

    it('returns exactly the entries starting in the window, inclusive at both ends', async () => {
      const since = '2024-01-01T00:00:00Z';
      const until = '2024-12-31T23:59:59Z';
      const { items } = await readAllPages<'entries', Entry>(base, '/v2/entries', 'entries', {
        time_since: since,
        time_until: until,
        items_per_page: 500,
      });
      const expected = dataset.entries.filter((e) => inWindow(e, since, until)).map((e) => e.id);
      assert.deepEqual(
        items.map((e) => e.id),
        expected,
      );
      assert.ok(items.some((e) => e.time_since === since) && items.some((e) => e.time_since === until));
    });

    it('accepts datetimes without Z and with an offset', async () => {
      const point = '2024-01-01T00:00:00Z';
      const expected = dataset.entries.filter((e) => e.time_since === point).length;
      assert.ok(expected >= 2);
      for (const [s, u] of [
        ['2024-01-01T00:00:00', '2024-01-01T00:00:00'],
        ['2024-01-01T01:00:00+01:00', '2023-12-31T19:00:00-05:00'],
      ]) {
        const r = await call<Paged<'entries', Entry>>(base, '/v2/entries', { time_since: s, time_until: u });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.entries.length, expected);
      }
    });

    it('adds names and revenue with enhanced_list=1', async () => {
      const r = await call<Paged<'entries', Entry & { customers_name: string; users_name: string }>>(
        base,
        '/v2/entries',
        { time_since: '2024-01-01T00:00:00Z', time_until: '2024-01-31T00:00:00Z', enhanced_list: 1 },
      );
      assert.ok(r.body.entries.length > 0);
      for (const e of r.body.entries) {
        assert.equal(e.customers_name, dataset.customers.find((c) => c.id === e.customers_id)?.name);
        assert.ok(e.users_name.length > 0 && 'revenue' in e && 'projects_name' in e);
      }
    });

    it('serves the live dataset: deletions and edits show on the next request', async () => {
      const params = {
        time_since: '2000-01-01T00:00:00Z',
        time_until: '2100-01-01T00:00:00Z',
        items_per_page: 1,
      };
      const index = 3;
      const removed = server.dataset.entries.splice(index, 1)[0];
      try {
        const r = await call<Paged<'entries', Entry>>(base, '/v2/entries', params);
        assert.equal(r.body.paging.count_items, dataset.entries.length);
        const check = await call<Paged<'entries', Entry>>(base, '/v2/entries', {
          time_since: removed.time_since,
          time_until: removed.time_since,
        });
        assert.ok(!check.body.entries.some((e) => e.id === removed.id));
      } finally {
        server.dataset.entries.splice(index, 0, removed);
      }
      const original = server.dataset.customers[0].name;
      server.dataset.customers[0].name = 'Renamed Ltd.';
      try {
        const r = await call<Paged<'customers', Customer>>(base, '/v2/customers', { items_per_page: 1 });
        assert.equal(r.body.customers[0].name, 'Renamed Ltd.');
      } finally {
        server.dataset.customers[0].name = original;
      }
    });
    it('sees an entry moved to another start, added or removed between requests (its window index follows)', async () => {
      const window = {
        time_since: '2024-03-01T00:00:00Z',
        time_until: '2024-03-31T23:59:59Z',
        items_per_page: 1000,
      };
      const ids = async () =>
        (await call<Paged<'entries', Entry>>(base, '/v2/entries', window)).body.entries.map((e) => e.id);
      const before = await ids();
      const i = server.dataset.entries.findIndex((e) => !inWindow(e, window.time_since, window.time_until));
      const original = server.dataset.entries[i];
      server.dataset.entries[i] = { ...original, time_since: '2024-03-15T09:00:00Z' };
      try {
        const moved = await ids();
        assert.deepEqual(
          moved,
          [...before, original.id].sort((a, b) => a - b),
        );
        server.dataset.entries.splice(i, 1);
        assert.deepEqual(await ids(), before);
        server.dataset.entries.splice(i, 0, { ...original, time_since: 'not a date, in no window' });
        assert.deepEqual(await ids(), before);
      } finally {
        server.dataset.entries[i] = original;
      }
      assert.deepEqual(await ids(), before);
    });
  });

  describe('fault injection and request log', () => {
    it('answers injected faults before auth, with Retry-After, then recovers', async () => {
      server.injectFault({ status: 429, times: 2, pathPrefix: '/v2/entries', retryAfter: '3' });
      const window = { time_since: '2024-01-01T00:00:00Z', time_until: '2024-01-02T00:00:00Z' };
      const other = await call(base, '/v2/customers', { items_per_page: 1 });
      assert.equal(other.status, 200, 'other paths unaffected');
      for (let i = 0; i < 2; i++) {
        const r = await call(base, '/v2/entries', window, { auth: i === 0 ? 'none' : 'basic' });
        assert.equal(r.status, 429);
        assert.equal(r.headers.get('retry-after'), '3');
        assert.equal(typeof r.body.error.message, 'string');
      }
      assert.equal((await call(base, '/v2/entries', window)).status, 200);
    });

    it('supports 5xx faults on every path, a custom body, and clearFaults', async () => {
      server.injectFault({ status: 503, times: 1, body: '<html>maintenance</html>' });
      const r = await fetch(`${base}/v2/projects`);
      assert.equal(r.status, 503);
      assert.equal(await r.text(), '<html>maintenance</html>');
      assert.equal(r.headers.get('retry-after'), null);
      server.injectFault({ status: 500, times: 5 });
      server.clearFaults();
      assert.equal((await call(base, '/v2/projects', { items_per_page: 1 })).status, 200);
    });

    it('logs every request with its status', async () => {
      server.requestLog.length = 0;
      await call(base, '/v2/customers', { page: 2, items_per_page: 5 });
      await call(base, '/v2/customers', {}, { auth: 'none' });
      await call(base, '/v2/nothing');
      assert.deepEqual(
        server.requestLog.map(({ method, path: p, query, status }) => ({ method, path: p, query, status })),
        [
          { method: 'GET', path: '/v2/customers', query: { page: '2', items_per_page: '5' }, status: 200 },
          { method: 'GET', path: '/v2/customers', query: {}, status: 401 },
          { method: 'GET', path: '/v2/nothing', query: {}, status: 404 },
        ],
      );
      assert.ok(server.requestLog.every((e) => Math.abs(Date.now() - e.at) < 60_000));
    });
  });
});

describe('api-server CLI (main.ts)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  /** Starts main.ts with `env` on top of a small dataset; resolves with its first line of output. */
  async function startCli(
    env: Record<string, string>,
  ): Promise<{ proc: ChildProcess; line: string; exited: Promise<number | null> }> {
    const proc = spawnApiServerMain({
      API_SERVER_ALLOW_CONTROL: '1',
      CLOCKODO_EMAIL: 'cli@example.com',
      CLOCKODO_API_KEY: 'cli-secret-key',
      ...env,
    });
    child = proc;
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      proc.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    return { proc, line, exited };
  }

  const auth = {
    Authorization: `Basic ${Buffer.from('cli@example.com:cli-secret-key').toString('base64')}`,
    'X-Clockodo-External-Application': APP,
  };

  it('prints its URL and counts without the key, serves, and stops on SIGTERM', async () => {
    const { proc, line, exited } = await startCli({});
    assert.ok(!line.includes('cli-secret-key'));
    assert.match(line, /customers=2 projects=8 absences=9 entries=300/);
    const url = /(http:\/\/\S+\/api)/.exec(line)?.[1];
    assert.ok(url, line);

    const ok = await fetch(`${url}/v2/customers`, { headers: auth });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Paged<'customers', Customer>;
    assert.equal(body.paging.count_items, 2);

    const control = url.replace(/\/api$/, '/__control');
    const added = await fetch(`${control}/faults`, {
      method: 'POST',
      body: JSON.stringify({ status: 503, times: 1, pathPrefix: '/v2/customers', retryAfter: '1' }),
    });
    assert.equal(added.status, 200);
    await added.text();
    const faulted = await fetch(`${url}/v2/customers`, { headers: auth });
    assert.equal(faulted.status, 503);
    assert.equal(faulted.headers.get('retry-after'), '1');
    await faulted.text();
    const log = (await (await fetch(`${control}/requests`)).json()) as { requests: { status: number }[] };
    assert.deepEqual(
      log.requests.map((r) => r.status),
      [200, 503],
    );
    const cleared = await fetch(`${control}/faults`, { method: 'DELETE' });
    assert.equal(cleared.status, 200);
    await cleared.text();

    proc.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('reads date_until of /v2/workTimes exclusively with API_SERVER_WORKTIMES_UNTIL=exclusive', async () => {
    const { proc, line, exited } = await startCli({ API_SERVER_WORKTIMES_UNTIL: 'exclusive' });
    const url = /(http:\/\/\S+\/api)/.exec(line)?.[1];
    assert.ok(url, line);
    const control = url.replace(/\/api$/, '/__control');
    const { records } = (await (await fetch(`${control}/records?resource=work_times&limit=1`)).json()) as {
      records: { date: string }[];
    };
    const date = records[0].date;
    const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const days = async (until: string) => {
      const query = new URLSearchParams({ date_since: date, date_until: until });
      const r = await fetch(`${url}/v2/workTimes?${query.toString()}`, { headers: auth });
      return ((await r.json()) as { work_time_days: { date: string }[] }).work_time_days.map((d) => d.date);
    };
    assert.deepEqual(await days(date), [], 'the date_until day is not included');
    const withNext = await days(next);
    assert.ok(withNext.length > 0 && withNext.every((d) => d === date));
    proc.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('refuses an API_SERVER_WORKTIMES_UNTIL it does not know', async () => {
    await assert.rejects(startCli({ API_SERVER_WORKTIMES_UNTIL: 'sometimes' }), /API_SERVER_WORKTIMES_UNTIL/);
  });
});
