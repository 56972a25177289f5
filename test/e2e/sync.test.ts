// End to end against the real parts: the Temporal server, ClickHouse, the local API server.
import { strict as assert } from 'assert';
import type { DatasetSize } from '../../api-server/types';
import type { ResourceConfig } from '../../domain/source-config';
import type { SyncInput } from '../../domain/types';
import { NativeConnection } from '@temporalio/worker';
import { runSync } from '../../client/run-sync';
import { resourceProgressQuery } from '../../workflows';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { temporalSettings } from '../../config/temporal-settings';
import { createSyncWorker } from '../../worker/create-worker';
import { assertCurrentEqualsApi } from './assert-current';
import { CREDENTIALS, Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();
const SIZE: DatasetSize = {
  customers: 60,
  projects: 130,
  absencesPerYear: 20,
  entries: 1500,
  users: 6,
  years: [year - 2, year - 1, year],
};

/** `<resource>_current` equals the API server's data, row for row and field for field. */
async function assertNoDuplicates(h: Harness, table: string, key = 'id'): Promise<void> {
  const [r] = await rows<{ n: number; ids: number }>(
    h.ch,
    `SELECT count() AS n, uniqExact(${key}) AS ids FROM ${h.database}.${table}`,
  );
  assert.equal(r.n, r.ids, `${table} holds ${r.n} rows for ${r.ids} keys`);
}

describe('sync end to end', function () {
  this.timeout(180_000);
  let h: Harness;
  let resources: ResourceConfig[];

  before(async () => {
    h = await startHarness({ size: SIZE, maxItemsPerPage: 100 });
    resources = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources;
  });
  after(async () => h?.close());

  it('lands every resource exactly as the API serves it', async () => {
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    const byName = new Map(result.summary.resources.map((r) => [r.resource, r]));
    assert.deepEqual(
      [...byName.keys()],
      resources.map((r) => r.name),
    );
    // The server caps pages at 100 items, whatever the configuration asks for: paging must follow it.
    assert.equal(byName.get('projects')?.pages, 2);
    assert.ok((byName.get('entries')?.pages ?? 0) > 12, 'entries read in slices of several pages');
    assert.equal(byName.get('entries')?.rows, h.api.dataset.entries.length);
    // The child answers its progress query (start-sync polls it while the run goes on).
    const progress = await h.client.workflow.getHandle(h.resourceId('entries')).query(resourceProgressQuery);
    assert.equal(progress.rows, h.api.dataset.entries.length);
    assert.equal(progress.pages, byName.get('entries')?.pages);
    for (const resource of resources) await assertCurrentEqualsApi(h, resource);
  });

  it('a second sync changes nothing and adds no duplicates', async () => {
    const before = await rows(h.ch, `SELECT * FROM ${h.database}.entries_current ORDER BY id`);
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    for (const r of result.summary.resources) {
      assert.equal(r.deleted, 0, `${r.resource} marked deletions`);
      assert.equal(r.rows, 0, `${r.resource}: nothing changed, so nothing is written`);
      assert.equal(r.unchanged, r.records, `${r.resource}: every record read is unchanged`);
    }
    for (const resource of resources) {
      await assertCurrentEqualsApi(h, resource);
      await assertNoDuplicates(h, `${resource.name}_current`, resource.key_column);
    }
    const after = await rows(h.ch, `SELECT * FROM ${h.database}.entries_current ORDER BY id`);
    // Not even the bookkeeping changes: unchanged records are not written again.
    assert.deepEqual(after, before);
    // Merged away for good once ClickHouse merges: FINAL already shows one row per id.
    await h.ch.command({ query: `OPTIMIZE TABLE ${h.database}.entries FINAL` });
    await assertNoDuplicates(h, 'entries');
  });

  it('sees edits and deletions at the source', async () => {
    const ds = h.api.dataset;
    const goneProject = ds.projects.splice(3, 1)[0];
    // A normal (incremental) sync sees deletions inside its window of recent start times.
    const recent = ds.entries.reduce((a, b) => (a.time_since > b.time_since ? a : b));
    const goneEntry = ds.entries.splice(ds.entries.indexOf(recent), 1)[0];
    // An entry whose start moves from the window's first slice to its last must not look deleted.
    const oldest = ds.entries.reduce((a, b) => (a.time_since < b.time_since ? a : b));
    const moved = {
      ...oldest,
      time_since: new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    if (moved.time_until !== null)
      moved.time_until = new Date(Date.now() - 80_000_000).toISOString().replace(/\.\d+Z$/, 'Z');
    ds.entries[ds.entries.indexOf(oldest)] = moved;
    ds.customers[0] = { ...ds.customers[0], name: 'Renamed GmbH – ünïcödé 🚀' };
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    const deleted = new Map(result.summary.resources.map((r) => [r.resource, r.deleted]));
    assert.equal(deleted.get('projects'), 1);
    assert.equal(deleted.get('entries'), 1);
    assert.equal(deleted.get('customers'), 0);
    for (const resource of resources) await assertCurrentEqualsApi(h, resource);
    const marker = await rows<{ _is_deleted: number }>(
      h.ch,
      `SELECT _is_deleted FROM ${h.database}.projects FINAL WHERE id = ${goneProject.id}`,
    );
    assert.deepEqual(marker, [{ _is_deleted: 1 }], 'the deleted project is kept, marked');
    const entry = await rows(h.ch, `SELECT id FROM ${h.database}.entries_current WHERE id = ${goneEntry.id}`);
    assert.equal(entry.length, 0);
  });

  it('keeps records of an unexpected shape instead of dropping them', async () => {
    const ds = h.api.dataset as unknown as { projects: Record<string, unknown>[] };
    ds.projects.push({ ...ds.projects[0], id: 999_000_001, active: 'yes', budget_money: 'lots' });
    ds.projects.push({ name: 'no id at all', active: true });
    const result = await h.sync(['--resources', 'projects']);
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.summary.resources[0].quarantined, 1);
    const [odd] = await rows<{ active: null; budget_money: null; _shape_errors: string[]; _raw: string }>(
      h.ch,
      `SELECT active, budget_money, _shape_errors, _raw FROM ${h.database}.projects_current WHERE id = 999000001`,
    );
    assert.equal(odd.active, null);
    assert.equal(odd.budget_money, null);
    assert.deepEqual([...odd._shape_errors].sort(), ['active', 'budget_money']);
    assert.equal((JSON.parse(odd._raw) as { active: string }).active, 'yes');
    const quarantined = await rows<{ reason: string; raw: string }>(
      h.ch,
      `SELECT reason, raw FROM ${h.database}._quarantine FINAL WHERE resource = 'projects'`,
    );
    assert.equal(quarantined.length, 1);
    assert.match(quarantined[0].reason, /primary key "id"/);
    assert.deepEqual(JSON.parse(quarantined[0].raw), { name: 'no id at all', active: true });
    ds.projects.splice(-2, 2);
  });

  it('--full-refresh marks records outside what it read as deleted; a normal sync leaves them', async () => {
    const onlyThisYear = (input: SyncInput) => {
      const router = input.config.resources.find((r) => r.name === 'absences')?.endpoint.partition_router;
      assert.ok(router);
      router.values = [String(year)];
    };
    const inThisYear = (a: { date_since: string; date_until: string }) =>
      a.date_since.startsWith(String(year)) || a.date_until.startsWith(String(year));
    const expectedNow = h.api.dataset.absences.filter(inThisYear).length;
    const count = async () =>
      (await rows<{ n: number }>(h.ch, `SELECT count() AS n FROM ${h.database}.absences_current`))[0].n;

    const normal = await h.sync(['--resources', 'absences'], onlyThisYear);
    assert.ok(normal.ok, normal.ok ? '' : normal.message);
    assert.equal(normal.summary.resources[0].deleted, 0);
    assert.equal(await count(), h.api.dataset.absences.length, 'older years stay');

    // Most of the table vanishing is what the mass-deletion guard stops, until it is told otherwise.
    const guarded = await h.sync(['--resources', 'absences', '--full-refresh'], onlyThisYear);
    assert.ok(guarded.ok, guarded.ok ? '' : guarded.message);
    assert.equal(guarded.summary.outcome, 'degraded');
    assert.equal(guarded.summary.resources[0].deleted, 0);
    assert.equal(guarded.summary.resources[0].heldBack, h.api.dataset.absences.length - expectedNow);
    assert.equal(await count(), h.api.dataset.absences.length, 'nothing deleted while held back');

    const full = await h.sync(
      ['--resources', 'absences', '--full-refresh', '--allow-mass-delete'],
      onlyThisYear,
    );
    assert.ok(full.ok, full.ok ? '' : full.message);
    assert.equal(full.summary.outcome, 'ok');
    assert.equal(full.summary.resources[0].deleted, h.api.dataset.absences.length - expectedNow);
    assert.equal(await count(), expectedNow, 'only this year remains');

    // Back to all years: the older absences are read again and come back.
    const again = await h.sync(['--resources', 'absences']);
    assert.ok(again.ok, again.ok ? '' : again.message);
    const absences = resources.find((r) => r.name === 'absences');
    assert.ok(absences);
    await assertCurrentEqualsApi(h, absences);
  });

  it('retries 503 and 429 (honouring Retry-After) and still completes', async () => {
    h.api.injectFault({ status: 503, times: 2, pathPrefix: '/v2/projects' });
    h.api.injectFault({ status: 429, times: 1, pathPrefix: '/v2/customers', retryAfter: '3' });
    const from = h.api.requestLog.length;
    const result = await h.sync(['--resources', 'projects,customers']);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const log = h.api.requestLog.slice(from);
    const statuses = (path: string) => log.filter((r) => r.path === path).map((r) => r.status);
    assert.deepEqual(statuses('/v2/projects').slice(0, 3), [503, 503, 200]);
    assert.deepEqual(statuses('/v2/customers').slice(0, 2), [429, 200]);
    const customers = log.filter((r) => r.path === '/v2/customers');
    // Backoff alone would retry after 1 s; the header asked for 3.
    assert.ok(
      customers[1].at - customers[0].at >= 2900,
      `retried after ${customers[1].at - customers[0].at} ms`,
    );
    for (const resource of resources.filter((r) => ['projects', 'customers'].includes(r.name))) {
      await assertCurrentEqualsApi(h, resource);
    }
  });

  it('gives up after 3 retries and a second chance, with a readable error', async () => {
    h.api.injectFault({ status: 502, times: 10, pathPrefix: '/v2/customers' });
    const from = h.api.requestLog.length;
    // The seed's retries without their backoff (1 + 2 + 4 s a series): the attempts are the point.
    const result = await h.sync(['--resources', 'customers'], (input) => {
      input.config.retry = {
        ...input.config.retry,
        initial_interval_seconds: 0.1,
        max_interval_seconds: 0.1,
      };
      input.options.secondChanceDelayMs = 1000;
    });
    h.api.clearFaults();
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, /customers .*answered 502/);
    const attempts = h.api.requestLog.slice(from).filter((r) => r.path === '/v2/customers');
    assert.equal(attempts.length, 8, 'one attempt and 3 retries, twice');
  });
});

describe('sync with a bad API key', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({
      size: { ...SIZE, entries: 50 },
      workerOverrides: { CLOCKODO_API_KEY: 'definitely-wrong-key-4711' },
    });
  });
  after(async () => h?.close());

  it('fails fast, without retries, with a readable error that hides the key', async () => {
    const result = await h.sync();
    assert.equal(result.ok, false);
    const message = result.ok ? '' : result.message;
    assert.match(message, /answered 401/);
    for (const name of ['projects', 'absences', 'customers', 'entries'])
      assert.match(message, new RegExp(name));
    assert.ok(!message.includes('definitely-wrong-key-4711') && !message.includes(CREDENTIALS.apiKey));
    assert.ok(h.api.requestLog.length > 0);
    assert.ok(h.api.requestLog.every((r) => r.status === 401));
    const keys = h.api.requestLog.map((r) => `${r.path}?${JSON.stringify(r.query)}`);
    assert.equal(new Set(keys).size, keys.length, 'no request was retried');
    const tables = await h.ch.query({
      query: `SELECT count() AS n FROM system.tables WHERE database = '${h.database}' AND name = 'entries_current'`,
      format: 'JSONEachRow',
    });
    assert.deepEqual(await tables.json(), [{ n: 1 }], 'tables exist, empty');
    const [{ n }] = await rows<{ n: number }>(h.ch, `SELECT count() AS n FROM ${h.database}.entries`);
    assert.equal(n, 0);
  });
});

describe('two syncs of one resource at once', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    // A slow API keeps the first sync running while the second one starts.
    h = await startHarness({ size: { ...SIZE, entries: 300 }, maxItemsPerPage: 20, latencyMs: 500 });
  });
  after(async () => h?.close());

  it('never overlap, even from another task queue: the second fails at once, naming the running one', async () => {
    // A second worker on a task queue of its own, writing to the same destination database.
    const otherQueue = `${h.taskQueue}-other`;
    const connection = await NativeConnection.connect(temporalSettings(h.vars).connection);
    const other = await createSyncWorker({ ...h.vars, TEMPORAL_TASK_QUEUE: otherQueue }, { connection });
    const otherRunning = other.run();
    const first = h.sync(['--resources', 'projects,customers']);
    // Once the first run's customers child exists (its first page takes 500 ms to answer).
    const firstChild = h.client.workflow.getHandle(h.resourceId('customers'));
    for (
      let i = 0;
      i < 100 &&
      !(await firstChild.describe().then(
        () => true,
        () => false,
      ));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const input = syncInputFromSettings(h.vars, parseSyncArgs(['--resources', 'customers']));
    const second = await runSync(h.client, input, { taskQueue: otherQueue });
    other.worker.shutdown();
    await otherRunning;
    await other.close();
    await connection.close();
    assert.equal(second.ok, false);
    assert.match(
      second.ok ? '' : second.message,
      new RegExp(`another sync of customers into 127.0.0.1:\\d+/${h.database} is still running`),
    );
    const done = await first;
    assert.ok(done.ok, done.ok ? '' : done.message);
    const [{ n }] = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${h.database}.customers_current`,
    );
    assert.equal(n, h.api.dataset.customers.length);
  });

  it('a sync allowed to wait for the lock (as schedules are) runs once the other one is done', async () => {
    const first = h.sync(['--resources', 'customers']);
    const firstChild = h.client.workflow.getHandle(h.resourceId('customers'));
    for (let i = 0; i < 100; i++) {
      const d = await firstChild.describe().catch(() => undefined);
      if (d?.status.name === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = h.sync(['--resources', 'customers'], (input) => {
      input.options.lockWaitMs = 60_000;
    });
    const [a, b] = await Promise.all([first, second]);
    assert.ok(a.ok, a.ok ? '' : a.message);
    assert.ok(b.ok, b.ok ? '' : b.message);
    const [ra] = a.summary.resources;
    const [rb] = b.summary.resources;
    assert.ok(rb.finishedAt > ra.finishedAt, 'the waiting sync finished after the running one');
    assert.equal(rb.rows, 0, 'and found everything stored');
  });
});

describe('the destination named by the request', function () {
  this.timeout(120_000);
  let h: Harness;
  const workerOwnDatabase = `clockodo_e2e_worker_own_${Date.now()}`;
  before(async () => {
    // The worker's own settings name another database: the request's destination must win.
    h = await startHarness({
      size: { ...SIZE, entries: 100 },
      workerOverrides: { CLICKHOUSE_DATABASE: workerOwnDatabase },
    });
  });
  after(async () => h?.close());

  it("writes into the client's database, not the worker's", async () => {
    const result = await h.sync(['--resources', 'customers']);
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.deepEqual(result.summary.destination, h.destination);
    const [{ n }] = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${h.database}.customers_current`,
    );
    assert.equal(n, h.api.dataset.customers.length);
    const [{ dbs }] = await rows<{ dbs: number }>(
      h.ch,
      `SELECT count() AS dbs FROM system.databases WHERE name = '${workerOwnDatabase}'`,
    );
    assert.equal(dbs, 0, "the worker's own database is untouched");
  });

  it('refuses a ClickHouse server the worker has no credentials for, saying which', async () => {
    const result = await h.sync(['--resources', 'customers'], (input) => {
      input.destination = { url: 'https://analytics.example.com:8443', database: h.database };
    });
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? '' : result.message,
      /this worker has no credentials for ClickHouse at analytics\.example\.com:8443 \(it writes to 127\.0\.0\.1:\d+\)/,
    );
  });
});
