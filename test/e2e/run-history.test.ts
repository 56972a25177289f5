// Run history against the real parts: every run leaves one sync_runs row per resource, whether it
// succeeded, failed or was cancelled; a cancelled run ends as cancelled, not failed; and
// `start-sync -- status` shows the runs.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { startSync } from '../../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { RunRow } from '../../clickhouse/run-history';
import { Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();

describe('run history', function () {
  this.timeout(180_000);
  let h: Harness;
  const runRows = (syncId: string) =>
    rows<Omit<RunRow, 'started' | 'finished'> & { started: string; finished: string }>(
      h.ch,
      `SELECT * FROM ${h.database}.sync_runs FINAL WHERE run_id = '${syncId}' ORDER BY resource`,
    );

  before(async () => {
    // Slow pages keep a run going long enough to cancel it.
    h = await startHarness({
      size: {
        customers: 40,
        projects: 60,
        absencesPerYear: 4,
        entries: 400,
        users: 3,
        years: [year - 1, year],
      },
      maxItemsPerPage: 20,
      latencyMs: 150,
    });
  });
  after(async () => h?.close());

  it('records each resource of a successful run, with the retries it took', async () => {
    h.api.injectFault({ status: 503, times: 1, pathPrefix: '/v2/projects' });
    const result = await h.sync(['--resources', 'projects,customers']);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const recorded = await runRows(result.summary.syncId);
    assert.deepEqual(
      recorded.map((r) => [
        r.resource,
        r.kind,
        r.trigger,
        r.outcome,
        Number(r.rows_written),
        Number(r.pages),
        Number(r.retries),
      ]),
      [
        ['customers', 'incremental', 'hand', 'ok', 40, 2, 0],
        ['projects', 'incremental', 'hand', 'ok', 60, 3, 1],
      ],
    );
    for (const r of recorded)
      assert.ok(r.finished >= r.started, `${r.resource}: ${r.started}..${r.finished}`);
  });

  it('records a failure with its error', async () => {
    h.api.injectFault({ status: 502, times: 10, pathPrefix: '/v2/customers' });
    // Retries and the second chance without their waits (1 + 2 + 4 s a series, 30 s between the
    // two): what is recorded is the point, not the time it takes to give up.
    const result = await h.sync(['--resources', 'customers'], (input) => {
      input.config.retry = {
        ...input.config.retry,
        initial_interval_seconds: 0.1,
        max_interval_seconds: 0.1,
      };
      input.options.secondChanceDelayMs = 0;
    });
    h.api.clearFaults();
    assert.equal(result.ok, false);
    const [row] = await runRows(result.ok ? '' : (result.summary?.syncId ?? ''));
    assert.equal(row.outcome, 'failed');
    assert.match(row.error, /answered 502/);
  });

  it('a cancelled run ends as cancelled, and is recorded so', async () => {
    const input = syncInputFromSettings(h.vars, parseSyncArgs(['--resources', 'entries,projects']));
    const handle = await startSync(h.client, input, { taskQueue: h.taskQueue });
    // Cancel once the entries are being read.
    for (let i = 0; i < 100 && h.api.requestLog.filter((r) => r.path === '/v2/entries').length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    await handle.cancel();
    const described = await (async () => {
      for (let i = 0; i < 100; i++) {
        const d = await handle.describe();
        if (d.status.name !== 'RUNNING') return d;
        await new Promise((r) => setTimeout(r, 100));
      }
      return handle.describe();
    })();
    assert.equal(described.status.name, 'CANCELLED');
    const recorded = await runRows(handle.workflowId);
    assert.ok(recorded.length >= 1);
    assert.ok(
      recorded.some((r) => r.outcome === 'cancelled'),
      JSON.stringify(recorded),
    );
  });

  it('start-sync -- status lists the runs, newest first', () => {
    const r = spawnSync(
      path.resolve(__dirname, '../../node_modules/.bin/ts-node'),
      ['--transpile-only', 'client/start-sync.ts', 'status'],
      { cwd: path.resolve(__dirname, '../..'), env: { ...process.env, ...h.vars }, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => / incremental /.test(l));
    assert.equal(lines.length, 3, r.stdout);
    assert.match(lines[0], / cancelled /);
    assert.match(lines[1], / failed /);
    assert.match(lines[2], / ok /);
    assert.match(r.stdout, /^Schedules:/m);
  });
});
