// Long entry histories continue as new. A Temporal dev server of the test's own suggests
// continue-as-new after 40 events, so each window (a child workflow reading many small page runs) must
// go through several runs and still land every entry exactly once. (That such runs replay is the
// business of test/unit/replay-histories.test.ts, on the recorded histories.)
import { strict as assert } from 'assert';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowExecutionStatusName } from '@temporalio/client';
import { startContinueAsNewTemporal, temporalOf } from './continue-as-new-server';
import { Harness, rows, startHarness } from './harness';

describe('continue-as-new on long entry histories', function () {
  this.timeout(240_000);
  let env: TestWorkflowEnvironment;
  let h: Harness;

  before(async () => {
    env = await startContinueAsNewTemporal();
    const year = new Date().getUTCFullYear();
    h = await startHarness({
      size: {
        customers: 10,
        projects: 20,
        absencesPerYear: 5,
        entries: 900,
        users: 4,
        years: [year - 1, year],
      },
      maxItemsPerPage: 20,
      temporal: temporalOf(env),
    });
  });
  after(async () => {
    await h?.close();
    await env?.teardown();
  });

  it('reads the whole window across several runs, every entry once', async () => {
    const result = await h.sync(['--resources', 'entries'], (input) => {
      const inc = input.config.resources.find((r) => r.name === 'entries')?.endpoint.incremental_sync;
      assert.ok(inc);
      inc.slice_days = 400;
      // Two pages of 20 per page run: each window takes many runs.
      input.options.pageRunBudget = { records: 40, seconds: 30 };
    });
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.summary.resources[0].rows, h.api.dataset.entries.length);

    // The windows are child workflows of the resource's workflow, named after it.
    const id = h.resourceId('entries');
    const runs: WorkflowExecutionStatusName[] = [];
    const windows = new Set<string>();
    for await (const wf of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}'` })) {
      if (!wf.workflowId.startsWith(`${id}/`)) continue;
      runs.push(wf.status.name);
      windows.add(wf.workflowId);
    }
    const continued = runs.filter((s) => s === 'CONTINUED_AS_NEW').length;
    assert.ok(windows.size >= 2, `expected several windows, got ${[...windows].join(', ')}`);
    assert.ok(continued >= 2, `expected several continued runs, got ${runs.join(', ')}`);
    assert.equal(runs.filter((s) => s === 'COMPLETED').length, windows.size, 'each window completes once');

    const [{ n, ids }] = await rows<{ n: number; ids: number }>(
      h.ch,
      `SELECT count() AS n, uniqExact(id) AS ids FROM ${h.database}.entries_current`,
    );
    assert.equal(n, h.api.dataset.entries.length);
    assert.equal(ids, n);
  });
});
