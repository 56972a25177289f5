// Schedules on the real Temporal dev server: apply creates both and, run again, updates them in place;
// a triggered run lands its rows; pause, unpause and delete do what they say; and what a schedule
// starts carries its relative settings as rules, not as the years of the day it was made.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ScheduleNotFoundError } from '@temporalio/client';
import { applySchedules, scheduleDefs } from '../../client/schedules';
import type { SyncInput } from '../../domain/types';
import { Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();

describe('schedules', function () {
  this.timeout(180_000);
  let h: Harness;
  let vars: Record<string, string>;
  let ids: { incremental: string; reconcile: string };

  before(async () => {
    h = await startHarness({
      size: {
        customers: 12,
        projects: 20,
        absencesPerYear: 4,
        entries: 150,
        users: 3,
        years: [year - 2, year - 1, year],
      },
      relativeYears: true,
    });
    // Hourly, so nothing fires by itself while the test runs.
    vars = { ...h.vars, SCHEDULE_ID_PREFIX: `e2e-${h.taskQueue}`, SCHEDULE_INCREMENTAL: 'every 1h' };
    const [inc, rec] = scheduleDefs(vars);
    ids = { incremental: inc.id, reconcile: rec.id };
  });
  after(async () => {
    for (const id of Object.values(ids ?? {}))
      await h?.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await h?.close();
  });

  it('apply creates both schedules, with SKIP overlap, a catch-up window and a note', async () => {
    assert.deepEqual(await applySchedules(h.client, vars), [
      { id: ids.incremental, created: true },
      { id: ids.reconcile, created: true },
    ]);
    const inc = await h.client.schedule.getHandle(ids.incremental).describe();
    assert.equal(inc.policies.overlap, 'SKIP');
    assert.equal(inc.policies.catchupWindow, 3_600_000);
    assert.deepEqual(
      inc.spec.intervals?.map((i) => Number(i.every)),
      [3_600_000],
    );
    assert.match(inc.state.note ?? '', /incremental sync into 127\.0\.0\.1:\d+\/clockodo_e2e_/);
    const rec = await h.client.schedule.getHandle(ids.reconcile).describe();
    assert.equal(rec.spec.calendars?.length, 1, 'the cron expression');
    assert.ok(rec.action.type === 'startWorkflow');
    const input = rec.action.args?.[0] as SyncInput;
    assert.equal(input.mode, 'reconcile');
    // Relative settings travel as rules: a run in 2028 resolves 2026..2028 itself.
    assert.deepEqual(input.rules, { years: { recent: 3 }, startDate: { recentYears: 3 } });
    // A scheduled run waits for a sync still holding a resource (the nightly one, say) instead of failing.
    assert.equal(input.options.lockWaitMs, 3_600_000);
    assert.equal(input.trigger, `schedule:${ids.reconcile}`);
  });

  it('apply again updates in place and keeps a pause', async () => {
    await h.client.schedule.getHandle(ids.reconcile).pause('maintenance');
    const applied = await applySchedules(h.client, { ...vars, SCHEDULE_INCREMENTAL: 'every 2h' });
    assert.deepEqual(
      applied.map((a) => a.created),
      [false, false],
    );
    const inc = await h.client.schedule.getHandle(ids.incremental).describe();
    assert.deepEqual(
      inc.spec.intervals?.map((i) => Number(i.every)),
      [7_200_000],
    );
    const rec = await h.client.schedule.getHandle(ids.reconcile).describe();
    assert.equal(rec.state.paused, true);
    assert.equal(rec.state.note, 'maintenance');
  });

  it('trigger starts a run whose rows land', async () => {
    await h.client.schedule.getHandle(ids.incremental).trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      const d = await h.client.schedule.getHandle(ids.incremental).describe();
      workflowId = d.info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(workflowId, 'the schedule started a run');
    assert.ok(workflowId.startsWith(ids.incremental));
    const summary = (await h.client.workflow.getHandle(workflowId).result()) as { outcome: string };
    assert.equal(summary.outcome, 'ok');
    const [{ n }] = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${h.database}.customers_current`,
    );
    assert.equal(n, h.api.dataset.customers.length);
    const [{ years }] = await rows<{ years: string[] }>(
      h.ch,
      `SELECT groupUniqArray(_partition) AS years FROM ${h.database}.absences`,
    );
    assert.deepEqual([...years].sort(), [year - 2, year - 1, year].map(String), 'the years of the run');
  });

  it('pause, unpause and delete, from the command line too', () => {
    const cli = (...args: string[]) =>
      spawnSync(
        path.resolve(__dirname, '../../node_modules/.bin/ts-node'),
        ['--transpile-only', 'client/schedule.ts', ...args],
        {
          cwd: path.resolve(__dirname, '../..'),
          env: { ...process.env, ...vars },
          encoding: 'utf8',
        },
      );
    let r = cli('pause', ids.incremental, '--note', 'holiday freeze');
    assert.equal(r.status, 0, r.stderr);
    r = cli('describe', ids.incremental);
    assert.match(r.stdout, new RegExp(`${ids.incremental}: PAUSED \\(holiday freeze\\)`));
    assert.match(r.stdout, /times: every 120m; overlap SKIP, catch-up 60 min/);
    r = cli('unpause', ids.incremental);
    assert.equal(r.status, 0, r.stderr);
    assert.match(cli('describe', ids.incremental).stdout, new RegExp(`${ids.incremental}: active`));
    assert.match(cli('list').stdout, new RegExp(`${ids.reconcile} +paused +daily at 03:00 UTC`));
    for (const id of [ids.incremental, ids.reconcile]) assert.equal(cli('delete', id).status, 0);
    r = cli('describe', ids.incremental);
    assert.equal(r.status, 4);
    assert.match(r.stderr, /no schedule/);
  });

  it('a deleted schedule is gone', async () => {
    await assert.rejects(h.client.schedule.getHandle(ids.reconcile).describe(), ScheduleNotFoundError);
  });
});
