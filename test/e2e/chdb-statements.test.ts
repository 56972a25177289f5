// The statement check on chdb: the project's SQL must run on Debian's ClickHouse 18.16 (where the
// other tests run) and on today's ClickHouse (26.x, PyPI's chdb, installed into .services/chdb by
// scripts/test-deps-install.sh). The real flows run against 18.16 while a recorder logs every
// statement the project sends and every answer; test/chdb/replay.py then runs them in the same order
// on chdb and compares each SELECT's answer.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { createClient } from '@clickhouse/client';
import type { Entry } from '../../api-server/types';
import { checkClickHouseAccess, connectClickHouse } from '../../clickhouse/connection';
import { reachClickHouse } from '../../client/clickhouse-reach';
import { cursorReport, quarantineReport, tableExists, tableReport } from '../../clickhouse/report-queries';
import { insertRunRows, recentRuns, RUNS_TABLE } from '../../clickhouse/run-history';
import { tableColumns } from '../../clickhouse/schema';
import { storedStates } from '../../clickhouse/stored-state-cache';
import { insertWebhookEvents, lastWebhookEvents } from '../../clickhouse/webhook-events';
import { countSeenIds, insertSeenIds } from '../../clickhouse/sync-state';
import { prepareDestination } from '../../activities/prepare-destination';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { clickHouseSettings } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import type { SyncInput } from '../../domain/types';
import type { RunSyncResult } from '../../client/run-sync';
import { sqlCallSites } from '../chdb/sql-call-sites';
import { StatementRecorder, StatementLog, stubClickHouse } from '../chdb/statement-recorder';
import { Harness, rows, startHarness } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const CHDB_DIR = path.join(process.env.SERVICES_DIR ?? path.join(ROOT, '.services'), 'chdb');
const PYTHON_ENV = { ...process.env, PYTHONPATH: CHDB_DIR };
const DAY = 86_400_000;
const year = new Date().getUTCFullYear();

/** SQL-issuing code the flows below do not reach, and why. */
const NOT_EXERCISED: Record<string, string> = {
  'scripts/bench/load-checks.ts:checkFields':
    "the benchmark's check, SELECT count() and SELECT * FROM <db>.<resource>_current by id range: the shapes the report and the flows' dumps run",
  'scripts/bench/main.ts:main':
    "the benchmark's SELECT version() for its report, and its cleanup, DROP DATABASE IF EXISTS <db>: replay.py ends with that very statement",
  'scripts/bench/load-checks.ts:countsPerResource':
    "the benchmark's checks, SELECT count() FROM <db>.<resource>_current and SELECT uniqExact(id) FROM <db>.<resource>: plain aggregates the report and the flows' checks run",
  'scripts/bench/parts-created.ts:blockNumbers':
    "the benchmark's count of parts created, max(max_block_number) from system.parts: a plain aggregate",
  'scripts/bench/plain-loader.ts:main':
    "the benchmark's plain loader's CREATE DATABASE and CREATE TABLE (typed columns, MergeTree), the physical limit",
  'scripts/bench/plain-loader.ts:loadPage':
    "the plain loader's INSERT of a page's records as JSONEachRow, as the pipeline inserts",
  'scripts/bench/rewrite-rows.ts:main':
    "the upgrade measurement, run by hand: the flows' DDL, inserts and OPTIMIZE, plus version() and DROP DATABASE as above",
  'scripts/bench/rewrite-rows.ts:onDisk':
    'the upgrade measurement, run by hand: sum(bytes_on_disk) from system.parts, a plain aggregate',
  'scripts/bench/rewrite-rows.ts:viewCount':
    "the upgrade measurement, run by hand: SELECT count() FROM <db>.entries_current, as the benchmark's check",
  'scripts/previous-release.ts:main':
    'records a fixture by hand with an earlier release (its own statements): DROP DATABASE IF EXISTS as above',
  'scripts/previous-release.ts:dump':
    'records a fixture by hand: system.tables, SHOW CREATE TABLE and SELECT * of every table, on the local server only',
  'scripts/demo-webhook-edit.ts:main':
    "the demo's check, SELECT text FROM <db>.entries_current WHERE id = <id>: the view's plain select the flows' dumps run",
  'scripts/soak.ts:compare':
    "the soak's check, SELECT * FROM <db>.<resource>_current: the same query the report and the flows' dumps run",
  'scripts/soak.ts:main':
    "the soak's cleanup, DROP DATABASE IF EXISTS <db>: replay.py ends with that very statement",
};

interface ReplayReport {
  engine: string;
  statements: number;
  distinct: number;
  compared: number;
  shape_only: number;
  parsed: number;
  problems: { seq: number; caller: string; sql: string; error: string; expected?: string; got?: string }[];
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function ok(result: RunSyncResult): RunSyncResult & { ok: true } {
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result;
}

/** Statements with their literals blanked: one per shape, whatever the sync ids and values. */
const shapeOf = (sql: string) =>
  sql
    .replace(/'(?:[^'\\]|\\.)*'/g, "'?'")
    .replace(/\b\d+\b/g, '0')
    .replace(/`clockodo_e2e_\w+`|clockodo_e2e_\w+/g, '<db>');

describe('the statement check on chdb', function () {
  this.timeout(600_000);
  const recorder = new StatementRecorder();
  let h: Harness;
  let resources: ResourceConfig[];
  let log: StatementLog;

  before(async () => {
    // Fails here, before the flows, when chdb is missing: never a silent skip.
    const probe = spawnSync('python3', ['-c', 'import chdb; print(chdb.__version__)'], {
      env: PYTHON_ENV,
      encoding: 'utf8',
    });
    assert.equal(
      probe.status,
      0,
      `chdb is not installed in ${CHDB_DIR}: bash scripts/test-deps-install.sh installs it ` +
        `(npm test and npm run services:start run that script): ${probe.stderr.trim().split('\n').pop()}`,
    );
    h = await startHarness({
      size: {
        customers: 20,
        projects: 40,
        absencesPerYear: 6,
        entries: 400,
        users: 4,
        years: [year - 2, year - 1, year],
      },
      maxItemsPerPage: 50,
      wrapClickHouse: (ch) => recorder.wrap(ch),
    });
    resources = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources;
  });
  after(async () => h?.close());

  it('records the statements of every flow against 18.16', async () => {
    const ds = h.api.dataset;
    // Odd shapes: a project with values that fit no column, one without an id (quarantined).
    const projects = ds.projects as unknown as Record<string, unknown>[];
    projects.push({ ...ds.projects[0], id: 999_000_001, active: 'yes', budget_money: 'lots' });
    projects.push({ name: 'no id at all', active: true });
    ok(await h.sync());

    // Seen ids of a run long gone: the next run drops their day (ALTER TABLE ... DROP PARTITION).
    const ch = recorder.wrap(connectClickHouse(clickHouseSettings(h.vars)));
    await insertSeenIds(ch, h.database, {
      resource: 'entries',
      syncId: 'long-gone',
      readId: 'long-gone|x|1',
      records: [1, 2, 3].map((id) => ({ id, hash: id, page: 1 })),
      at: Date.now() - 10 * DAY,
    });
    // Counted the way reads begun before records' contents were counted still ask.
    assert.equal(await countSeenIds(ch, h.database, 'long-gone|x|1'), 3);

    // Edits, additions and a deletion inside the incremental window, a renamed customer, and a
    // column the configuration gained (ALTER TABLE ... ADD COLUMN, the view rebuilt).
    const now = Date.now();
    const recent = ds.entries
      .filter((e) => Date.parse(e.time_since) > now - 20 * DAY && e.time_until !== null)
      .slice(0, 3);
    assert.equal(recent.length, 3, 'the dataset has recent entries');
    for (const e of recent.slice(0, 2))
      ds.entries[ds.entries.indexOf(e)] = { ...e, text: `edited ${e.id}`, time_last_change: iso(now - 1000) };
    ds.entries.splice(ds.entries.indexOf(recent[2]), 1);
    const added: Entry = {
      ...recent[0],
      id: 11,
      text: 'added 11',
      time_since: iso(now - 2 * DAY),
      time_until: iso(now - 2 * DAY + 3600_000),
      time_last_change: iso(now - 1000),
    };
    ds.entries.push(added);
    ds.customers[0] = { ...ds.customers[0], name: "O'Brien & Söhne – ünïcödé 🚀" };
    const incremental = ok(
      await h.sync(['--resources', 'entries,customers'], (input) => {
        const customers = input.config.resources.find((r) => r.name === 'customers');
        assert.ok(customers);
        customers.columns.checked_on_chdb = { kind: 'string', nullable: true };
      }),
    );
    const entries = incremental.summary.resources.find((r) => r.resource === 'entries');
    assert.equal(entries?.deleted, 1, 'the deleted entry is marked');
    const customersRun = incremental.summary.resources.find((r) => r.resource === 'customers');
    assert.ok(
      customersRun?.notes.includes('column added to the table: checked_on_chdb'),
      customersRun?.notes.join('; '),
    );

    // An old deletion only a reconciliation sees.
    const old = ds.entries.find((e) => Date.parse(e.time_since) < now - 400 * DAY);
    assert.ok(old);
    ds.entries.splice(ds.entries.indexOf(old), 1);
    const reconcile = ok(await h.sync(['--resources', 'entries', '--reconcile']));
    assert.equal(reconcile.summary.resources[0].deleted, 1);

    // The mass-deletion guard holds back a read that lost half the projects.
    ds.projects = ds.projects.filter((_, i) => i % 2 === 0);
    const held = ok(await h.sync(['--resources', 'projects']));
    assert.ok(held.summary.resources[0].heldBack > 0);

    // A key two different records share (a copy of a service under its id): the pages are read
    // again, and both records kept in quarantine.
    ds.services.push({ ...ds.services[0], name: 'another service, the same id' });
    const collided = ok(await h.sync(['--resources', 'services']));
    assert.match(collided.summary.resources[0].degraded.join(), /key collision/);
    // A configuration keyed otherwise than the table: built anew from _raw, onto a key that several
    // stored records share (all active services), so those go to quarantine too; then back.
    const byActive = (input: SyncInput) => {
      const services = input.config.resources.find((r) => r.name === 'services');
      assert.ok(services);
      Object.assign(services, { primary_key: ['active'], key_column: '_key' });
      services.columns.active = { kind: 'bool', nullable: false };
    };
    const rekeyed = ok(await h.sync(['--resources', 'services'], byActive));
    assert.match(rekeyed.summary.resources[0].notes.join(), /built anew.*sharing a key/);
    ok(await h.sync(['--resources', 'services']));
    // A rebuild cut short between its two renames (its new table made, the old one moved aside): the
    // next run lets the new table take the name and drops the old one.
    const teams = `${h.database}.teams`;
    await ch.command({ query: `CREATE TABLE ${teams}__rebuild_1 AS ${teams}` });
    await ch.command({ query: `INSERT INTO ${teams}__rebuild_1 SELECT * FROM ${teams}` });
    await ch.command({ query: `RENAME TABLE ${teams} TO ${teams}__replaced_1` });
    // And a view's swap cut short (its new view made beside the old one): dropped by the next run.
    await ch.command({
      query: `CREATE VIEW ${teams}_current__rebuild_1 AS SELECT 1 AS one`,
    });
    const resumed = ok(await h.sync(['--resources', 'teams']));
    assert.ok(!(await tableExists(ch, h.database, 'teams_current__rebuild_1')), 'the half-swapped view');
    assert.equal(resumed.summary.resources[0].rows, 0, 'the teams are there, unchanged');
    assert.match(resumed.summary.resources[0].notes.join(), /had stopped before its new table took the name/);

    // The worker's check at start (it runs before the worker's client is wrapped), then what
    // `start-sync -- status` (client/status.ts) and `npm run report` (client/report.ts) ask.
    try {
      await checkClickHouseAccess(ch, clickHouseSettings(h.vars));
      await reachClickHouse(ch, h.vars);
      assert.ok(await tableExists(ch, h.database, RUNS_TABLE));
      assert.ok((await recentRuns(ch, h.database, 10)).length >= 4);
      for (const r of resources) assert.ok(await tableReport(ch, h.database, r.name));
      for (const r of resources.filter((x) => x.endpoint.incremental_sync))
        assert.ok(await cursorReport(ch, h.database, r.name));
      assert.equal((await quarantineReport(ch, h.database)).length, 2, 'projects and services');
      // What the webhook changes workflow records per batch, and what status reads back.
      const hook = { resource: 'entries', event: 'entry.updated', events: 3, sync_id: 'chdb-hook' };
      await insertWebhookEvents(ch, h.database, [{ ...hook, received: '2026-12-06 10:00:00' }]);
      await insertWebhookEvents(ch, h.database, [{ ...hook, received: '2026-12-06 10:00:05', events: 1 }]);
      assert.deepEqual(
        (await lastWebhookEvents(ch, h.database)).map((w) => [w.resource, w.received, w.events]),
        [['entries', '2026-12-06 10:00:05', 1]],
      );
      // A read whose states pass the cache's bound looks its ids up page by page (... WHERE id IN).
      const entriesConfig = resources.find((r) => r.name === 'entries');
      assert.ok(entriesConfig);
      const someIds = ds.entries.slice(0, 3).map((e) => e.id);
      const looked = await storedStates({
        ch,
        db: h.database,
        resource: entriesConfig,
        cursorColumn: 'time_last_change',
        readId: 'chdb-lookup',
        target: {},
        ids: someIds,
        maxCachedRows: 0,
      });
      assert.deepEqual(
        [...looked.keys()].sort((a, b) => a - b),
        [...someIds].sort((a, b) => a - b),
      );
      // What the flows left, table by table and view by view, so the writes compare too, not only the
      // answers the project reads back. The test's own statements: replay.py knows them by their site.
      const tables = await rows<{ name: string; engine: string }>(
        h.ch,
        `SELECT name, engine FROM system.tables WHERE database = '${h.database}' ORDER BY name`,
      );
      for (const t of tables) {
        const final = t.engine.startsWith('Replacing') ? ' FINAL' : '';
        await (
          await ch.query({ query: `SELECT * FROM ${h.database}.${t.name}${final}`, format: 'JSONEachRow' })
        ).text();
      }
    } finally {
      await ch.close();
    }

    // CLICKHOUSE_CLUSTER sends other DDL (ON CLUSTER, Replicated engines). No cluster runs for this
    // test (clickhouse-production.test.ts runs that DDL on two 18.16 replicas), so the same code
    // runs against a stub here, and chdb, which has no cluster either, only parses what it sent.
    const dry = new StatementRecorder();
    const customers = resources.find((r) => r.name === 'customers');
    assert.ok(customers);
    // One table lacks a column (ALTER TABLE ... ADD COLUMN), the others are new; one old day of seen ids.
    const stored = tableColumns(customers)
      .slice(0, -1)
      .map(([name, type]) => ({ name, type }));
    const stub = dry.wrap(
      stubClickHouse((sql) =>
        sql.includes('system.parts')
          ? [{ partition: '20000101' }]
          : sql.includes('system.columns') && sql.includes("'customers'")
            ? stored
            : [],
      ),
    );
    await prepareDestination({ ch: stub, database: h.database, cluster: 'chdb_check' }, resources);
    await insertRunRows(stub, h.database, [], 'chdb_check');
    await insertWebhookEvents(stub, h.database, [], 'chdb_check');

    const project = connectClickHouse(clickHouseSettings(h.vars));
    const { url, user, password } = clickHouseSettings(h.vars);
    const bare = createClient({ url, username: user, password });
    try {
      log = await recorder.log(project, bare);
    } finally {
      await Promise.all([project.close(), bare.close()]);
    }
    log.parseOnly = dry.statements.filter((s) => s.kind !== 'query');
    assert.ok(log.parseOnly.every((s) => / ON CLUSTER `chdb_check`/.test(s.sql)));
    const failed = log.statements.filter((s) => s.error);
    assert.deepEqual(
      failed.map((s) => `#${s.seq} ${s.caller}: ${s.error}`),
      [],
      'every recorded statement ran on 18.16',
    );
  });

  it('the flows reach every place in the code that sends SQL', () => {
    assert.ok(log, 'the flows ran');
    const reached = new Set(log.statements.filter((s) => !s.site.startsWith('test/')).map((s) => s.site));
    const sites = sqlCallSites();
    const missing = sites
      .filter((s) => !reached.has(s.site) && !(s.fn in NOT_EXERCISED))
      .map((s) => `${s.site} (${s.fn})`);
    assert.deepEqual(
      missing,
      [],
      'SQL call sites no flow reached (add a flow, or list them in NOT_EXERCISED with why)',
    );
    // A caller the scan does not know means the scan missed a way of sending SQL.
    const known = new Set(sites.map((s) => s.site));
    const unknown = [...reached].filter((s) => !known.has(s));
    assert.deepEqual(unknown, [], 'statements sent from places the source scan did not find');
  });

  it('every statement runs on ClickHouse 26.x (chdb), and every SELECT answers as on 18.16', () => {
    assert.ok(log, 'the flows ran');
    // CHDB_CHECK_DIR keeps the log and the report for a look by hand.
    const keep = process.env.CHDB_CHECK_DIR;
    const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'chdb-check-'));
    try {
      const logFile = path.join(dir, 'statements.json');
      const reportFile = path.join(dir, 'report.json');
      writeFileSync(logFile, JSON.stringify(log));
      const started = Date.now();
      const run = spawnSync('python3', [path.join(ROOT, 'test/chdb/replay.py'), logFile, reportFile], {
        env: PYTHON_ENV,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(run.status, 0, `replay.py failed (exit ${run.status}): ${run.stderr}`);
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ReplayReport;
      const own = log.statements.filter((s) => !s.site.startsWith('test/'));
      const texts = new Set(own.map((s) => s.sql)).size;
      const shapes = new Set(own.map((s) => shapeOf(s.sql))).size;
      const dumps = log.statements.length - own.length;
      console.log(
        `      ${own.length} statements of the project (${texts} distinct texts, ${shapes} distinct shapes) ` +
          `and ${dumps} table dumps from ${log.server} replayed on ${report.engine} in ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s; ${report.compared} answers compared ` +
          `(${report.compared - dumps} SELECTs of the project, ${dumps} dumps; ${report.shape_only} partly by shape only); ` +
          `${report.parsed} statements of cluster mode parsed`,
      );
      const lines = report.problems.map(
        (p) =>
          `#${p.seq} ${p.caller}: ${p.error}\n    ${p.sql}` +
          (p.expected !== undefined
            ? `\n    ${log.server}: ${p.expected}\n    ${report.engine}: ${p.got}`
            : ''),
      );
      assert.ok(
        lines.length === 0,
        `${lines.length} statements failed or differed on chdb:\n${lines.join('\n')}`,
      );
      assert.ok(report.compared > 0);
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  });
});
