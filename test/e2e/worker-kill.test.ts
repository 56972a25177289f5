// A worker killed with SIGKILL in the middle of a sync: the pages it had in flight run again on
// another worker within seconds (activities heartbeat; the heartbeat timeout is 10 s), and the run
// completes with every row exactly once. Worker processes are real `npm run worker` processes.
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
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
