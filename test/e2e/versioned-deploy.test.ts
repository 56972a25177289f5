// The upgrade as docs/operations.md describes it ("Deploying a new build"), with an incompatible workflow
// change: a reconciliation runs on build A; build B (one more activity call at the top of every
// resource sync: test/incompatible-change.ts) starts beside it and is promoted with
// `npm run deployment -- promote`; A is stopped once `deployment -- drained` says no run is pinned to
// it. The run started on A completes on A, exact; the run started after the promotion runs on B.
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as path from 'path';
import { NativeConnection } from '@temporalio/worker';
import { temporalSettings } from '../../config/temporal-settings';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { RunSyncResult } from '../../client/run-sync';
import { createSyncWorker, SyncWorker } from '../../worker/create-worker';
import { bundleIncompatibleChange } from '../incompatible-change';
import { assertCurrentEqualsApi } from './assert-current';
import { Harness, startHarness } from './harness';

const ROOT = path.resolve(__dirname, '../..');
/** A list, a partitioned resource and the windowed ones (parallel windows, parts). */
const RESOURCES = 'projects,user_reports,entries,work_times';
const SIZE = { customers: 8, projects: 16, absencesPerYear: 3, entries: 1500, users: 4, years: [2024, 2025] };

describe('a deploy of an incompatible workflow change, done as docs/operations.md says', function () {
  this.timeout(300_000);
  let h: Harness;
  let connection: NativeConnection;
  const workers: { sync: SyncWorker; running: Promise<void>; adopted: Promise<string> }[] = [];

  before(async () => {
    // Slow pages, so the reconciliation is still running when build B arrives.
    h = await startHarness({ size: SIZE, maxItemsPerPage: 50, latencyMs: 150, inProcessWorker: false });
    connection = await NativeConnection.connect(temporalSettings(h.vars).connection);
  });
  after(async () => {
    for (const w of workers) {
      if (w.sync.worker.getState() === 'RUNNING') w.sync.worker.shutdown();
      await w.running.catch(() => undefined);
      await w.sync.close();
    }
    await connection?.close();
    await h?.close();
  });

  async function startWorker(buildId: string, workflowBundle?: { code: string }) {
    const sync = await createSyncWorker(h.vars, { connection, buildId, workflowBundle });
    let adopted!: (outcome: string) => void;
    const entry = {
      sync,
      adopted: new Promise<string>((r) => (adopted = r)),
      running: sync.run((o) => adopted(o)),
    };
    workers.push(entry);
    return entry;
  }
  /**
   * `npm run deployment -- ARGS` as an operator runs it, with the harness's settings (never spawnSync:
   * the workers run in this process and must go on meanwhile).
   */
  function deployment(...args: string[]): Promise<{ status: number; out: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'client/deployment.ts', ...args],
        { cwd: ROOT, env: { ...process.env, ...h.vars }, encoding: 'utf8' },
        (err, stdout, stderr) =>
          resolve({
            status: err ? Number((err as { code?: number }).code ?? 1) : 0,
            out: `${stdout}${stderr}`,
          }),
      );
    });
  }
  /** The build a run is pinned to, and the sync run it belongs to. */
  async function describeRun(workflowId: string, runId: string) {
    const { workflowExecutionInfo: info } = await h.client.workflowService.describeWorkflowExecution({
      namespace: h.client.options.namespace,
      execution: { workflowId, runId },
    });
    return {
      buildId: info?.versioningInfo?.deploymentVersion?.buildId,
      root: info?.rootExecution?.workflowId ?? workflowId,
    };
  }

  /** What is still open on the test's task queue, for a failure's message. */
  async function openRuns(): Promise<string> {
    const lines: string[] = [];
    for await (const wf of h.client.workflow.list({
      query: `TaskQueue = '${h.taskQueue}' AND ExecutionStatus = 'Running'`,
    })) {
      const d = await h.client.workflowService.describeWorkflowExecution({
        namespace: h.client.options.namespace,
        execution: { workflowId: wf.workflowId, runId: wf.runId },
      });
      lines.push(
        `${wf.workflowId} ${d.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId} ` +
          `task ${JSON.stringify(d.pendingWorkflowTask)} activities ${d.pendingActivities?.length} children ${d.pendingChildren?.length}`,
      );
    }
    return lines.join('\n');
  }

  it('loses no run, holds no lock, and sends new runs to the new build', async () => {
    const a = await startWorker('build-a');
    assert.equal(await a.adopted, 'made current', 'the first build of a deployment makes itself current');
    const config = syncInputFromSettings(h.vars, parseSyncArgs([])).config;
    let firstId = '';
    const first: Promise<RunSyncResult> = h.sync(['--reconcile', '--resources', RESOURCES]);
    // Build B arrives while the entries are being read.
    while (h.api.requestLog.filter((r) => r.path === '/v2/entries').length < 5) {
      await new Promise((r) => setTimeout(r, 100));
    }
    for await (const wf of h.client.workflow.list({
      query: `TaskQueue = '${h.taskQueue}' AND WorkflowType = 'syncWorkflow'`,
    }))
      firstId = wf.workflowId;
    assert.ok(firstId, 'the first run is listed');

    // 1. Start workers of the new build: they poll, but new runs still go to A.
    const b = await startWorker('build-b', await bundleIncompatibleChange());
    assert.equal(await b.adopted, 'not current');
    // 2. Move new runs to B.
    const promoted = await deployment('promote', 'build-b');
    assert.equal(promoted.status, 0, promoted.out);
    const second = h.sync(['--resources', RESOURCES], (input) => {
      // Like a scheduled run: it waits for the first run's locks instead of failing at once.
      input.options.lockWaitMs = 240_000;
    });
    // 3. Drain A: the first run finishes on A.
    const drained = await deployment('drained', 'build-a', '--wait', '240');
    assert.equal(drained.status, 0, `${drained.out}\n${await openRuns()}`);
    const firstResult = await first;
    assert.ok(firstResult.ok, `the run in flight completes: ${firstResult.ok ? '' : firstResult.message}`);
    // 4. Stop A's workers.
    a.sync.worker.shutdown();
    await a.running;
    const secondResult = await second;
    assert.ok(
      secondResult.ok,
      `the run after the promotion completes: ${secondResult.ok ? '' : secondResult.message}`,
    );

    // Every workflow of the first run stayed on A, and of the second ran on B.
    const status = await deployment('status');
    assert.equal(status.status, 0, status.out);
    assert.match(status.out, /build-b\s+current\s+0 open runs/);
    assert.match(status.out, /build-a\s+old\s+0 open runs \(drained/);
    let failedTasks = 0;
    const runsOn = new Map<string, number>();
    for await (const wf of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}'` })) {
      const run = await describeRun(wf.workflowId, wf.runId);
      assert.equal(
        run.buildId,
        run.root === firstId ? 'build-a' : 'build-b',
        `${wf.workflowId} of ${run.root}`,
      );
      runsOn.set(run.buildId ?? '', (runsOn.get(run.buildId ?? '') ?? 0) + 1);
      const history = await h.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      failedTasks += (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
    }
    assert.equal(failedTasks, 0, 'no workflow task failed: no history was replayed on the other build');
    // Each run: its sync workflow, one per resource, and their parts.
    const perRun = 1 + RESOURCES.split(',').length;
    assert.ok(
      (runsOn.get('build-a') ?? 0) > perRun && (runsOn.get('build-b') ?? 0) > perRun,
      JSON.stringify([...runsOn]),
    );
    for (const resource of config.resources.filter((r) => RESOURCES.split(',').includes(r.name)))
      await assertCurrentEqualsApi(h, resource);
  });
});
