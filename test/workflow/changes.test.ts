// changesWorkflow with in-memory activities: signalled events become few incremental syncs of just the
// named resources (trigger webhook), events during a sync start one more after it, each batch is
// recorded, the state survives continue-as-new, and an idle run completes. These workers have no
// deployment version (WORKER_VERSIONING=off): the run must still go (test/e2e/webhooks.test.ts runs
// it on a versioned worker).
import { strict as assert } from 'assert';
import type { ChangesInput, ChangesState, ResourceEvents } from '../../domain/changes';
import { changesWorkflow, webhookEventsSignal } from '../../workflows/changes';
import { FakeSource, items, testEnv, testInput, withWorker } from './mock-activities';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const event = (resource: string, count = 1): ResourceEvents => ({
  resource,
  event: `${resource}.updated`,
  count,
  at: Date.now(),
});

describe('changesWorkflow (mocked activities)', function () {
  this.timeout(60_000);

  before(async function () {
    this.timeout(60_000);
    await testEnv();
  });

  function changesInput(over: Partial<ChangesInput> = {}): ChangesInput {
    const { config, destination, options } = testInput();
    return { sync: { config, destination, options }, debounceMs: 1500, idleMs: 2500, ...over };
  }

  /** Signals `batches` (each after its delay), then waits for the idle run to complete. */
  async function run(
    fake: FakeSource,
    input: ChangesInput,
    batches: { afterMs: number; events: ResourceEvents[] }[],
  ): Promise<{ state: ChangesState; runs: string[] }> {
    return withWorker(fake.activities(), async (taskQueue, env) => {
      const workflowId = `${taskQueue}-changes`;
      for (const b of batches) {
        await sleep(b.afterMs);
        await env.client.workflow.signalWithStart(changesWorkflow, {
          taskQueue,
          workflowId,
          args: [input],
          signal: webhookEventsSignal,
          signalArgs: [b.events],
          workflowExecutionTimeout: '50 seconds',
        });
      }
      const handle = env.client.workflow.getHandle<typeof changesWorkflow>(workflowId);
      const state = await handle.result();
      const runs: string[] = [];
      for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        runs.push(wf.status.name);
      return { state, runs };
    });
  }

  const webhookRuns = (fake: FakeSource) =>
    fake.runRows.map((rows) => ({
      trigger: rows[0].trigger,
      kind: rows[0].kind,
      resources: rows.map((r) => r.resource).sort(),
    }));

  it('a burst of events becomes one incremental sync of just the named resources, recorded per resource', async () => {
    const fake = new FakeSource(items(3, '2025-01-01T00:00:00Z', 60_000), 2);
    const burst = Array.from({ length: 10 }, (_, k) => ({
      afterMs: 0,
      events: [event('customers', 2), ...(k % 2 ? [event('projects')] : [])],
    }));
    const { state, runs } = await run(fake, changesInput(), burst);
    assert.deepEqual(runs, ['COMPLETED'], 'one run, completed when idle');
    assert.equal(state.received, 25);
    assert.equal(state.syncs, 1, 'one sync for the burst');
    assert.equal(state.coalesced, 23, 'every event past the first of each resource joined it');
    assert.deepEqual(state.pending, {});
    assert.deepEqual(webhookRuns(fake), [
      { trigger: 'webhook', kind: 'incremental', resources: ['customers', 'projects'] },
    ]);
    const recorded = fake.calls.filter((c) => c.activity === 'recordWebhookEvents');
    assert.equal(recorded.length, 1);
    const rows = (recorded[0].req as { rows: { resource: string; events: number }[] }).rows;
    assert.deepEqual(
      rows.map((r) => [r.resource, r.events]),
      [
        ['projects', 5],
        ['customers', 20],
      ],
    );
  });

  it('events during a sync start one more sync after it, never one per event', async () => {
    const fake = new FakeSource(items(3, '2025-01-01T00:00:00Z', 60_000), 2);
    // Each page waits, so the first sync is still running when the later events come.
    fake.pageDelayMs = 300;
    const later = Array.from({ length: 8 }, () => ({ afterMs: 150, events: [event('customers')] }));
    const { state } = await run(fake, changesInput({ debounceMs: 200 }), [
      { afterMs: 0, events: [event('customers')] },
      ...later,
    ]);
    assert.equal(state.received, 9);
    assert.equal(state.syncs, 2, 'the first event’s sync, and one for all that came during it');
    assert.deepEqual(
      webhookRuns(fake).map((r) => r.resources),
      [['customers'], ['customers']],
    );
  });

  it('continues as new after its syncs per run, carrying what it counted', async () => {
    const fake = new FakeSource(items(1, '2025-01-01T00:00:00Z', 60_000), 2);
    const spaced = [0, 1, 2].map((k) => ({ afterMs: k === 0 ? 0 : 2500, events: [event('teams')] }));
    const { state, runs } = await run(
      fake,
      changesInput({ debounceMs: 100, syncsPerRun: 1, idleMs: 4000 }),
      spaced,
    );
    assert.equal(state.syncs, 3);
    assert.equal(state.received, 3);
    assert.ok(runs.filter((r) => r === 'CONTINUED_AS_NEW').length >= 2, runs.join());
    assert.equal(runs.filter((r) => r === 'COMPLETED').length, 1, runs.join());
  });
});
