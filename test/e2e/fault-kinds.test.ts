// Every fault kind, end to end against the real services: a few faults on one page heal with retries
// and the data lands exact; a persistent fault fails the run with a message that names the request and
// the fault (what start-sync prints after "sync failed: "). ClickHouse's faults too: a server away is
// retried, a refused login or a rejected statement fails at once.
import { strict as assert } from 'assert';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { errorBody } from '../../api-server/http-util';
import { Fault, FaultName, namedFault } from '../../api-server/faults';
import type { RequestLogEntry } from '../../api-server/server';
import type { DatasetSize } from '../../api-server/types';
import { withStatementInErrors } from '../../clickhouse/connection';
import { SEEN_TABLE } from '../../clickhouse/sync-state';
import { qualified } from '../../clickhouse/sql';
import { clickHouseSettings, readEnv, resolveVariables } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { RunSyncResult } from '../../client/run-sync';
import type { SyncInput } from '../../domain/types';
import { recordToExpected, rowToApiShape } from './compare';
import { CREDENTIALS, Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();
// Customers in 3 pages; projects in 16.
const SIZE: DatasetSize = {
  customers: 25,
  projects: 160,
  absencesPerYear: 2,
  entries: 10,
  users: 2,
  years: [year],
};
/** The server's page cap, so page 1 is one page among others. */
const PAGE_CAP = 10;
/** The request the faults on customers hit: page 1, as the configuration asks for it. */
const REQUEST = 'GET /v2/customers?page=1&items_per_page=1000';
/** Settings for both sides: a page out of retries gets its second chance after 1 s, not 30. */
const SETTINGS = { SYNC_SECOND_CHANCE_SECONDS: '1' };

/**
 * The seed's policy with short pauses, 2 retries and a 1 s request timeout, so a fault kind takes
 * seconds; one test below keeps the seed's own policy.
 */
function quick(maxRetries = 2): (input: SyncInput) => void {
  return (input) => {
    input.config.retry = { ...input.config.retry, initial_interval_seconds: 0.1, max_retries: maxRetries };
    input.config.client = { ...input.config.client, request_timeout_seconds: 1 };
  };
}

const failed = (r: RunSyncResult): string => (r.ok ? assert.fail('the sync succeeded') : r.message);
const succeeded = (r: RunSyncResult) => {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.summary.resources[0];
};

/** The requests for page 1 of customers since `from` (not the count check's items_per_page=1). */
function page1(h: Harness, from: number): RequestLogEntry[] {
  return h.api.requestLog
    .slice(from)
    .filter((r) => r.path === '/v2/customers' && r.query.page === '1' && r.query.items_per_page === '1000');
}

/** customers_current equals the API server's customers, row for row and field for field. */
async function assertCustomersExact(h: Harness, resource: ResourceConfig): Promise<void> {
  const stored = await rows(h.ch, `SELECT * FROM ${h.database}.customers_current ORDER BY id`);
  const expected = [...h.api.dataset.customers].sort((a, b) => a.id - b.id);
  assert.equal(stored.length, expected.length, 'customers: row count');
  stored.forEach((row, i) => {
    assert.deepEqual(rowToApiShape(row, resource), recordToExpected(expected[i], resource), `customer #${i}`);
  });
}

/** A message fit for an operator: short, no markup, no secret. */
function assertReadable(message: string): void {
  assert.ok(message.length < 600, `${message.length} characters: ${message}`);
  assert.ok(!/<(html|!--|body|head)/i.test(message), `markup in: ${message}`);
  const basic = Buffer.from(`${CREDENTIALS.email}:${CREDENTIALS.apiKey}`).toString('base64');
  for (const secret of [CREDENTIALS.apiKey, basic]) assert.ok(!message.includes(secret), message);
}

/** Faults the pipeline retries, and what the operator reads when one persists. */
const RETRIED: { name: FaultName; says: string }[] = [
  { name: '429', says: 'answered 429 Too Many Requests' },
  { name: '429-retry-after-seconds', says: 'answered 429 Too Many Requests (Retry-After: 1)' },
  { name: '429-retry-after-date', says: 'answered 429 Too Many Requests (Retry-After: ' },
  { name: '500', says: 'answered 500 Internal Server Error' },
  { name: '502', says: 'answered 502 Bad Gateway' },
  { name: '503', says: 'answered 503 Service Unavailable' },
  { name: '504', says: 'answered 504 Gateway Timeout' },
  { name: 'reset', says: 'no answer: the connection was reset (read ECONNRESET)' },
  {
    name: 'reset-mid-body',
    says: 'answered 200 OK but the body broke off: the connection was reset (read ECONNRESET)',
  },
  { name: 'stall-headers', says: 'no answer within 1 s (client.request_timeout_seconds)' },
  {
    name: 'stall-body',
    says: 'answered 200 OK but the body did not finish within 1 s (client.request_timeout_seconds)',
  },
  { name: 'truncated-json', says: 'answered 200 OK: JSON that breaks off after ' },
  {
    name: 'html-502',
    says: `answered 502 Bad Gateway: an HTML page, not the API's JSON ("502 Bad Gateway")`,
  },
  {
    name: 'html-200',
    says: `answered 200 OK: an HTML page, not the API's JSON ("Scheduled maintenance")`,
  },
];

describe('every fault kind of the API', function () {
  this.timeout(60_000);
  let h: Harness;
  let customers: ResourceConfig;

  before(async () => {
    h = await startHarness({ size: SIZE, maxItemsPerPage: PAGE_CAP, settings: SETTINGS });
    const resource = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources.find(
      (r) => r.name === 'customers',
    );
    assert.ok(resource);
    customers = resource;
    succeeded(await h.sync(['--resources', 'projects,customers'], quick()));
  });
  afterEach(() => h?.api.clearFaults());
  after(async () => h?.close());

  /** A change on page 1, so a page that heals must also be written. */
  function changePage1(label: string): void {
    const ds = h.api.dataset;
    const first = [...ds.customers].sort((a, b) => a.id - b.id)[0];
    ds.customers[ds.customers.indexOf(first)] = { ...first, name: `after ${label}` };
  }

  describe('a few on one page: retried, and the data lands exact', () => {
    for (const { name } of RETRIED) {
      it(name, async () => {
        changePage1(name);
        // Waits longer than the 0.1 s of backoff, so the gaps show which one decided.
        const fault: Fault =
          name === '429-retry-after-seconds'
            ? { ...namedFault(name), retryAfter: '2' }
            : name === '429-retry-after-date'
              ? { ...namedFault(name), retryAfterDateIn: 3 }
              : namedFault(name);
        h.api.injectFault({ ...fault, times: 2, pathPrefix: '/v2/customers' });
        const from = h.api.requestLog.length;
        const totals = succeeded(await h.sync(['--resources', 'customers'], quick()));
        const attempts = page1(h, from);
        assert.deepEqual(
          attempts.map((r) => r.fault ?? r.status),
          [name, name, 200],
        );
        assert.equal(totals.retries, 2, 'retries counted');
        assert.equal(totals.rows, 1, 'the changed customer written');
        await assertCustomersExact(h, customers);
        const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i].at);
        if (name.startsWith('429-retry-after')) {
          // Seconds: 2 s; a date: 2 to 3 s (it has whole seconds).
          assert.ok(
            gaps.every((g) => g >= 1900),
            `Retry-After honoured: waited ${gaps.join(', ')} ms`,
          );
        } else if (name === '429') {
          assert.ok(
            gaps.every((g) => g < 1500),
            `no Retry-After, so backoff: waited ${gaps.join(', ')} ms`,
          );
        }
      });
    }
  });

  // Every kind persists on page 2 of projects, in a run of its own: a page run stops at the page it
  // cannot read, so a run's failure names that page, its request and the fault.
  describe('a persistent one: the run fails, naming the page, the request and the fault', () => {
    const attemptsOn = (from: number, page: number) =>
      h.api.requestLog.slice(from).filter((r) => r.path === '/v2/projects' && r.query.page === String(page));

    for (const { name, says } of RETRIED) {
      it(name, async () => {
        h.api.injectFault({
          ...namedFault(name),
          times: 100,
          pathPrefix: '/v2/projects',
          query: { page: '2' },
        });
        const from = h.api.requestLog.length;
        const result = await h.sync(['--resources', 'projects'], quick());
        h.api.clearFaults();
        const message = failed(result);
        const part = /page 2: (GET [^;]*)/.exec(message)?.[1] ?? '';
        assert.ok(part.startsWith(`GET /v2/projects?page=2&items_per_page=1000: ${says}`), message);
        assertReadable(part);
        // A series of 3 attempts, then the second chance's 3.
        const attempts = attemptsOn(from, 2);
        assert.equal(attempts.length, 6, `${attempts.length} attempts`);
        assert.ok(attempts.every((r) => r.fault === name));
        // Nothing marked deleted in what it could not read.
        const [{ n }] = await rows<{ n: number }>(
          h.ch,
          `SELECT count() AS n FROM ${h.database}.projects_current`,
        );
        assert.equal(n, h.api.dataset.projects.length);
      });
    }
  });

  describe('a status that fails at once, with the API error body', () => {
    const FAIL_FAST: { name: FaultName; body?: string; says: string }[] = [
      {
        name: '400',
        body: JSON.stringify(errorBody('Parameter items_per_page is invalid', ['items_per_page'])),
        says: 'answered 400 Bad Request: Parameter items_per_page is invalid (fields: items_per_page)',
      },
      {
        name: '401',
        body: JSON.stringify(errorBody('Authentication failed')),
        says: "answered 401 Unauthorized: Authentication failed (the worker's CLOCKODO_EMAIL and CLOCKODO_API_KEY were refused)",
      },
      { name: '403', says: 'answered 403 Forbidden (the API user lacks the rights to read this)' },
    ];
    for (const { name, body, says } of FAIL_FAST) {
      it(name, async () => {
        h.api.injectFault({ ...namedFault(name), body, times: 100, pathPrefix: '/v2/customers' });
        const from = h.api.requestLog.length;
        const message = failed(await h.sync(['--resources', 'customers'], quick()));
        assert.ok(message.includes(`${REQUEST}: ${says}`), message);
        assertReadable(message);
        assert.equal(page1(h, from).length, 1, 'not retried, no second chance');
      });
    }
  });

  it("429 under the seed's own policy: Retry-After decides the wait, then backoff does", async () => {
    changePage1('seed policy');
    h.api.injectFault({ status: 429, times: 1, pathPrefix: '/v2/customers', retryAfter: '3' });
    h.api.injectFault({ status: 429, times: 1, pathPrefix: '/v2/customers' });
    const from = h.api.requestLog.length;
    const totals = succeeded(await h.sync(['--resources', 'customers']));
    const attempts = page1(h, from);
    assert.deepEqual(
      attempts.map((r) => r.status),
      [429, 429, 200],
    );
    assert.equal(totals.retries, 2);
    const [asked, backoff] = attempts.slice(1).map((r, i) => r.at - attempts[i].at);
    // The seed's backoff would wait 1 s here; the header asked for 3.
    assert.ok(asked >= 2900, `waited ${asked} ms after Retry-After: 3`);
    // Without a header: initial interval 1 s times factor 2 for the second retry.
    assert.ok(backoff >= 1800 && backoff < 4000, `waited ${backoff} ms of backoff`);
    await assertCustomersExact(h, customers);
  });

  it('Retry-After: 0 (or a date just passed) is a retry soon, not the end of the retries', async () => {
    changePage1('Retry-After 0');
    h.api.injectFault({ status: 503, times: 2, pathPrefix: '/v2/customers', retryAfter: '0' });
    const from = h.api.requestLog.length;
    const totals = succeeded(await h.sync(['--resources', 'customers'], quick()));
    assert.deepEqual(
      page1(h, from).map((r) => r.status),
      [503, 503, 200],
    );
    assert.equal(totals.retries, 2);
    await assertCustomersExact(h, customers);
  });
});

describe('ClickHouse faults', function () {
  this.timeout(60_000);
  let h: Harness;
  let customers: ResourceConfig;
  /** What the worker's next inserts into the seen-ids table meet (every page writes there). */
  let fault: { kind: 'away' | 'login' | 'schema'; times: number } | undefined;
  const settings = clickHouseSettings(resolveVariables(readEnv()));
  const host = new URL(settings.url).host;
  const away = withStatementInErrors(
    createClient({ url: 'http://127.0.0.1:1', log: { level: ClickHouseLogLevel.OFF } }),
    '127.0.0.1:1',
  );
  const wrongLogin = withStatementInErrors(
    createClient({
      url: settings.url,
      username: settings.user,
      password: `${settings.password}-wrong`,
      log: { level: ClickHouseLogLevel.OFF },
    }),
    host,
  );

  function wrap(ch: ClickHouseClient): ClickHouseClient {
    // The ids seen go in as a streamed JSONEachRow statement (clickhouse/json-insert.ts); `h` is set
    // once the harness has started, before any insert.
    const seenInsert = () => `INSERT INTO ${qualified(h.database, SEEN_TABLE)} FORMAT JSONEachRow`;
    const exec = ((params: Parameters<ClickHouseClient['exec']>[0]) => {
      if (!fault || fault.times <= 0 || params.query !== seenInsert()) return ch.exec(params);
      fault.times--;
      // Real answers of real servers: nothing listens on port 1; the password is wrong; no such table.
      if (fault.kind === 'away') return away.exec(params);
      if (fault.kind === 'login') return wrongLogin.exec(params);
      const missing = `INSERT INTO ${qualified(h.database, `${SEEN_TABLE}_missing`)} FORMAT JSONEachRow`;
      return ch.exec({ ...params, query: missing });
    }) as ClickHouseClient['exec'];
    return Object.assign(Object.create(ch) as ClickHouseClient, { exec });
  }

  before(async () => {
    h = await startHarness({
      size: SIZE,
      maxItemsPerPage: PAGE_CAP,
      settings: SETTINGS,
      wrapClickHouse: wrap,
    });
    const resource = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources.find(
      (r) => r.name === 'customers',
    );
    assert.ok(resource);
    customers = resource;
  });
  afterEach(() => (fault = undefined));
  after(async () => {
    await Promise.all([away.close(), wrongLogin.close()]);
    await h?.close();
  });

  it('a server away (connection refused) is retried, and the data lands exact', async () => {
    // One statement refused: the page run's attempt fails, and its retry goes on from where it stood.
    fault = { kind: 'away', times: 1 };
    const totals = succeeded(await h.sync(['--resources', 'customers'], quick()));
    assert.equal(fault.times, 0);
    assert.equal(totals.retries, 1, 'retries counted');
    await assertCustomersExact(h, customers);
  });

  it('a refused login fails at once, saying which settings to check', async () => {
    fault = { kind: 'login', times: 100 };
    const from = h.api.requestLog.length;
    const message = failed(await h.sync(['--resources', 'customers'], quick()));
    assert.match(
      message,
      new RegExp(
        `ClickHouse at ${host.replace(/\./g, '\\.')} refused the worker's login \\(error 193: Wrong password for user ${settings.user}\\): ` +
          `check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD \\(in: INSERT INTO ${qualified(h.database, SEEN_TABLE).replace('.', '\\.')} FORMAT JSONEachRow\\)`,
      ),
    );
    assert.equal(page1(h, from).length, 1, 'not retried');
  });

  it('a statement the server rejects (unknown table) fails at once, naming it', async () => {
    fault = { kind: 'schema', times: 100 };
    const from = h.api.requestLog.length;
    const message = failed(await h.sync(['--resources', 'customers'], quick()));
    assert.ok(
      message.includes(
        `ClickHouse at ${host} rejected the statement (error 60: Table ${h.database}.${SEEN_TABLE}_missing doesn't exist.): ` +
          `the schema or the SQL does not fit this server, so it is not retried (in: INSERT INTO ${qualified(h.database, `${SEEN_TABLE}_missing`)} FORMAT JSONEachRow)`,
      ),
      message,
    );
    assert.equal(page1(h, from).length, 1, 'not retried');
  });
});
