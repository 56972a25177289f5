// A worker killed with SIGKILL in the middle of a sync: the pages it had in flight run again on
// another worker within seconds (activities heartbeat; the heartbeat timeout is 10 s), and the run
// completes with every row exactly once. A page run killed midway resumes from its last heartbeat.
// Worker processes are real worker processes (worker/main.ts, as `npm run worker` runs it).
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Harness, rows, startHarness } from './harness';
import { assertCurrentEqualsApi } from './assert-current';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { PageRunHeartbeat } from '../../domain/types';

const ROOT = path.resolve(__dirname, '../..');
const SIZE = {
  customers: 10,
  projects: 20,
  absencesPerYear: 3,
  entries: 2400,
  users: 4,
  years: [2024, 2025],
};

/** A worker process as an operator runs it, with the harness's settings. */
function startWorker(vars: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...vars, WORKER_METRICS_ADDRESS: 'off', LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => p.once('exit', () => resolve()));

describe('a worker killed with SIGKILL mid-sync', function () {
  this.timeout(240_000);
  let h: Harness;
  const workers: ChildProcess[] = [];

  before(async () => {
    // Slow pages (300 ms each), so the kill finds pages in flight.
    h = await startHarness({ size: SIZE, maxItemsPerPage: 50, latencyMs: 300, inProcessWorker: false });
  });
  after(async () => {
    for (const w of workers) {
      w.kill('SIGKILL');
      await exited(w);
    }
    await h?.close();
  });

  it('the run completes exact, and recovers within 90 s of each of two kills', async () => {
    workers.push(startWorker(h.vars));
    const run = h.sync();
    const kills: number[] = [];
    for (const afterRequests of [15, 40]) {
      while (h.api.requestLog.filter((r) => r.path === '/v2/entries').length < afterRequests) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const victim = workers[workers.length - 1];
      victim.kill('SIGKILL');
      await exited(victim);
      kills.push(Date.now());
      workers.push(startWorker(h.vars));
    }
    const result = await run;
    const done = Date.now();
    assert.ok(result.ok, result.ok ? '' : result.message);
    const recovered = (done - kills[kills.length - 1]) / 1000;
    console.log(`      run finished ${recovered.toFixed(1)} s after the last kill`);
    assert.ok(recovered < 90, `finished ${recovered} s after the last kill`);

    // Every entry exactly once, none lost.
    const [entries] = await rows<{ n: number; ids: number }>(
      h.ch,
      `SELECT count() AS n, uniqExact(id) AS ids FROM ${h.database}.entries FINAL WHERE _is_deleted = 0`,
    );
    assert.equal(entries.n, h.dataset.entries.length);
    assert.equal(entries.ids, h.dataset.entries.length);
    const [current] = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${h.database}.entries_current`,
    );
    assert.equal(current.n, h.dataset.entries.length);
  });
});

/** The pending page runs of the sync's entries parts, with what their last heartbeat recorded. */
async function pendingPageRuns(
  h: Harness,
): Promise<{ part: string; written: number; readThrough: number }[]> {
  const found: { part: string; written: number; readThrough: number }[] = [];
  const running = h.client.workflow.list({
    query: `WorkflowType = 'readPartWorkflow' AND ExecutionStatus = 'Running'`,
  });
  for await (const wf of running) {
    if (!wf.workflowId.includes(`/${h.database}/entries/`)) continue;
    const desc = await h.client.workflow.getHandle(wf.workflowId).describe();
    for (const a of desc.raw.pendingActivities ?? []) {
      const payload = a.heartbeatDetails?.payloads?.[0]?.data;
      if (a.activityType?.name !== 'readPageRun' || !payload) continue;
      const details = JSON.parse(Buffer.from(payload).toString()) as PageRunHeartbeat;
      found.push({
        part: wf.workflowId.slice(wf.workflowId.lastIndexOf('/') + 1),
        written: details.written.nextPage,
        readThrough: details.readThrough,
      });
    }
  }
  return found;
}

describe('a worker killed with SIGKILL in the middle of a page run', function () {
  this.timeout(240_000);
  let h: Harness;
  const workers: ChildProcess[] = [];
  // Inserts every 100 records (2 pages of 50): the run's heartbeats record written pages early.
  const workerVars = () => ({ ...h.vars, WORKER_INSERT_RECORDS: '100' });

  before(async () => {
    // 12,000 entries: windows of about 30 pages of 50, each one page run of about 15 s (1 s a page,
    // 2 in flight), longer than the SDK's 8 s between heartbeats.
    const size = { customers: 5, projects: 10, absencesPerYear: 2, entries: 12_000, users: 4, years: [2025] };
    h = await startHarness({ size, maxItemsPerPage: 50, latencyMs: 1000, inProcessWorker: false });
  });
  after(async () => {
    for (const w of workers) {
      w.kill('SIGKILL');
      await exited(w);
    }
    await h?.close();
  });

  it('resumes from the last heartbeat: no page lost, none written twice, every entry exact', async () => {
    workers.push(startWorker(workerVars()));
    const run = h.sync();
    // Wait until Temporal holds a heartbeat that records written pages, then kill the worker.
    let victims: Awaited<ReturnType<typeof pendingPageRuns>> = [];
    const deadline = Date.now() + 120_000;
    while (!victims.some((v) => v.written >= 5)) {
      assert.ok(Date.now() < deadline, 'no page run recorded written pages within 120 s');
      await new Promise((r) => setTimeout(r, 250));
      victims = await pendingPageRuns(h);
    }
    const worker = workers[0];
    worker.kill('SIGKILL');
    await exited(worker);
    const killedAt = Date.now();
    workers.push(startWorker(workerVars()));
    const result = await run;
    assert.ok(result.ok, result.ok ? '' : result.message);

    // Page requests; not the count checks after the read (page 1 with one item per page).
    const entryRequests = h.api.requestLog.filter(
      (r) => r.path === '/v2/entries' && r.query.items_per_page !== '1',
    );
    for (const v of victims.filter((x) => x.written > 1)) {
      const since = v.part.slice(0, v.part.indexOf('..'));
      const pagesOf = (after: boolean) =>
        entryRequests
          .filter((r) => r.query.time_since === since && r.at >= killedAt === after)
          .map((r) => Number(r.query.page ?? 1));
      const again = pagesOf(true);
      console.log(
        `      ${v.part}: heartbeat said pages 1..${v.written - 1} written; the retry asked pages ${Math.min(...again)}..${Math.max(...again)}`,
      );
      assert.ok(again.length > 0, `${v.part}: read on after the kill`);
      assert.ok(
        Math.min(...again) >= v.written,
        `${v.part}: the retry started at page ${Math.min(...again)}`,
      );
      const before = pagesOf(false);
      for (let page = 1; page < v.written; page++) {
        assert.equal(before.filter((p) => p === page).length, 1, `${v.part}: page ${page} asked once`);
      }
    }
    // Every entry exactly once: without FINAL too, so no page was written twice.
    const [entries] = await rows<{ n: number; ids: number }>(
      h.ch,
      `SELECT count() AS n, uniqExact(id) AS ids FROM ${h.database}.entries`,
    );
    assert.equal(entries.ids, h.dataset.entries.length);
    assert.equal(entries.n, h.dataset.entries.length, 'rows in the table, merged or not');
    const entriesConfig = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources.find(
      (r) => r.name === 'entries',
    );
    assert.ok(entriesConfig);
    await assertCurrentEqualsApi(h, entriesConfig);
  });
});
