// A run stuck on nondeterminism: a reconciliation is under way when its worker is replaced by one
// with an incompatible workflow change (test/incompatible-change.ts), deployed without the procedure.
// `start-sync -- status` names the stuck workflows and the way out, the worker's metrics count the
// failures, `start-sync -- release-stuck --yes` frees the locks, and the next run on good code is
// exact: the cursor never moved for the stuck run, and deletions are right.
import { strict as assert } from 'assert';
import { ChildProcess, execFile, spawn } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import fetch from 'node-fetch';
import type { Entry } from '../../api-server/types';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { findStuckRuns, STUCK_TASK_ATTEMPTS, StuckRun } from '../../client/stuck-runs';
import type { ResourceConfig } from '../../domain/source-config';
import { createSyncWorker, SyncWorker } from '../../worker/create-worker';
import { assertCurrentEqualsApi } from './assert-current';
import { freePort } from './clickhouse-cluster';
import { Harness, rows, startHarness } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const SIZE = {
  customers: 10,
  projects: 20,
  absencesPerYear: 3,
  entries: 2400,
  users: 4,
  years: [2024, 2025],
};
const FAILED_TASKS = 'temporal_workflow_task_execution_failed';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const run = promisify(execFile);

/** A command of start-sync as the operator runs it, with the harness's settings. */
async function startSync(h: Harness, args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'client/start-sync.ts', ...args],
    { cwd: ROOT, env: { ...process.env, ...h.vars } },
  );
  return stdout;
}

/** The sum of a counter's lines that carry all the given labels. */
function counter(text: string, name: string, labels: Record<string, string>): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name}_total{`))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('a run stuck on nondeterminism', function () {
  this.timeout(300_000);
  let h: Harness;
  let good: SyncWorker | undefined;
  let goodRunning: Promise<void> | undefined;
  let bad: ChildProcess | undefined;
  let resources: ResourceConfig[];

  const startGood = async () => {
    // Unversioned like the bad one: the deploy this test is about skips the versioned procedure.
    good = await createSyncWorker({ ...h.vars, WORKER_VERSIONING: 'off' });
    goodRunning = good.run();
  };
  const stopGood = async () => {
    good?.worker.shutdown();
    await goodRunning;
    await good?.close();
    good = undefined;
  };
  const stopBad = async () => {
    if (!bad || bad.exitCode !== null || bad.signalCode !== null) return;
    const exited = new Promise((r) => bad?.once('exit', r));
    bad.kill('SIGTERM');
    await exited;
  };

  before(async () => {
    // Slow pages of 50 at most: the reconciliation takes long enough to be caught mid-read.
    h = await startHarness({ size: SIZE, maxItemsPerPage: 50, latencyMs: 150, inProcessWorker: false });
    resources = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources;
  });
  after(async () => {
    await stopBad();
    await stopGood();
    await h?.close();
  });

  const cursor = async () =>
    (
      await rows<{ cursor: string; run_id: string }>(
        h.ch,
        `SELECT argMax(cursor, _version) AS cursor, argMax(run_id, _version) AS run_id ` +
          `FROM ${h.database}._sync_cursors WHERE resource = 'entries' GROUP BY resource`,
      )
    )[0];

  it('shows in status and the metrics, release-stuck frees its locks, and the next run is exact', async () => {
    await startGood();
    const first = await h.sync();
    assert.ok(first.ok && first.summary.outcome === 'ok', first.ok ? first.summary.outcome : first.message);
    const before = await cursor();
    assert.equal(before.run_id, first.summary.syncId);

    // Changes only a reconciliation sees: old entries deleted and edited.
    const ds = h.api.dataset;
    const old = ds.entries.filter((e) => e.time_since < '2024-06-01').slice(0, 4);
    for (const e of old.slice(0, 3)) ds.entries.splice(ds.entries.indexOf(e), 1);
    const edited: Entry = {
      ...old[3],
      text: 'edited while a run was stuck',
      time_last_change: iso(Date.now()),
    };
    ds.entries[ds.entries.indexOf(old[3])] = edited;

    const entriesRequests = () => h.api.requestLog.filter((r) => r.path === '/v2/entries').length;
    const readBefore = entriesRequests();
    const stuckSync = h.sync(['--reconcile']);
    // The entries sync has run workflow tasks (its parts fetch pages): now the deploy replaces the worker.
    await waitFor('pages of entries', () => (entriesRequests() >= readBefore + 4 ? true : undefined));
    await stopGood();

    const port = await freePort();
    bad = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'test/incompatible-worker.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...h.vars,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
        // Deployed without the procedure: an unversioned worker.
        WORKER_VERSIONING: 'off',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let badOutput = '';
    bad.stdout?.on('data', (d: Buffer) => (badOutput += d.toString()));
    await waitFor('the changed worker', () => (badOutput.includes('ready') ? true : undefined));

    const entriesLock = h.resourceId('entries');
    const stuck = await waitFor('the entries sync reported stuck', async () => {
      const found = await findStuckRuns(h.client, h.taskQueue);
      return found.some((s) => s.workflowId === entriesLock) ? found : undefined;
    });
    const entries = stuck.find((s) => s.workflowId === entriesLock) as StuckRun;
    console.log(
      `      stuck: ${stuck.map((s) => `${s.workflowId.split('/').pop()} attempt ${s.attempts}`).join(', ')}`,
    );
    assert.equal(entries.type, 'syncResourceWorkflow');
    assert.ok(entries.attempts >= STUCK_TASK_ATTEMPTS);
    assert.match(entries.reason, /non deterministic error: \[TMPRL1100\] Nondeterminism error/);
    assert.ok(!entries.reason.includes('\n'));
    const syncRun = entries.root.workflowId;
    assert.equal((await h.client.workflow.getHandle(syncRun).describe()).type, 'syncWorkflow');
    for (const s of stuck) assert.equal(s.root.workflowId, syncRun, 'every stuck workflow is of the run');

    const status = await startSync(h, ['status']);
    assert.match(status, /^STUCK: /m);
    assert.ok(status.includes(entriesLock), status);
    assert.ok(status.includes(`(sync run ${syncRun})`));
    assert.match(status, /\[TMPRL1100\] Nondeterminism error/);
    assert.match(status, /npm run start-sync -- release-stuck --yes/);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const failed = counter(metrics, FAILED_TASKS, {
      failure_reason: 'NonDeterminismError',
      workflow_type: 'syncResourceWorkflow',
      task_queue: h.taskQueue,
    });
    console.log(`      ${FAILED_TASKS}{failure_reason="NonDeterminismError"}: ${failed}`);
    assert.ok(
      failed > 0,
      metrics
        .split('\n')
        .filter((l) => l.includes('task_execution_failed'))
        .join('\n'),
    );

    // Without --yes nothing is ended.
    const dry = await startSync(h, ['release-stuck']);
    assert.match(dry, /nothing ended/);
    assert.equal((await h.client.workflow.getHandle(syncRun).describe()).status.name, 'RUNNING');

    const released = await startSync(h, ['release-stuck', '--yes']);
    assert.match(released, new RegExp(`terminated syncWorkflow ${syncRun}`));
    assert.match(released, /locks free: .*entries/);
    for (const s of stuck) {
      const d = await h.client.workflow.getHandle(s.workflowId).describe();
      assert.notEqual(d.status.name, 'RUNNING', `${s.workflowId} is no longer running`);
    }
    const root = await h.client.workflow.getHandle(syncRun).describe();
    assert.equal(root.status.name, 'TERMINATED');
    const ended = await stuckSync;
    assert.ok(!ended.ok, 'the stuck run did not succeed');
    assert.equal((await findStuckRuns(h.client, h.taskQueue)).length, 0);

    // The stuck run never moved the cursor; its sync_runs rows say why it ended.
    assert.deepEqual(await cursor(), before);
    const recorded = await rows<{ resource: string; outcome: string; error: string }>(
      h.ch,
      `SELECT resource, outcome, error FROM ${h.database}.sync_runs FINAL WHERE run_id = '${syncRun}'`,
    );
    const entriesRow = recorded.find((r) => r.resource === 'entries');
    assert.ok(entriesRow, JSON.stringify(recorded));
    assert.equal(entriesRow.outcome, 'failed');
    assert.match(entriesRow.error, /^ended by release-stuck: workflow task failing .*TMPRL1100/);

    await stopBad();
    await startGood();
    const next = await h.sync(['--reconcile']);
    assert.ok(next.ok, next.ok ? '' : next.message);
    assert.equal(next.summary.outcome, 'ok', JSON.stringify(next.summary));
    const entriesSummary = next.summary.resources.find((r) => r.resource === 'entries');
    assert.equal(entriesSummary?.deleted, 3, 'the three deleted entries are marked, nothing else');
    for (const resource of resources) await assertCurrentEqualsApi(h, resource);
    const after = await cursor();
    assert.equal(after.run_id, next.summary.syncId);
    assert.equal(after.cursor, entriesSummary?.cursor);
    const newest = ds.entries.reduce((m, e) => (e.time_last_change > m ? e.time_last_change : m), '');
    assert.equal(after.cursor, newest, 'the cursor is the newest change read');
  });
});
