// syncWorkflow with in-memory activities: resources run side by side, one failing or locked does not
// stop the others, the run's outcome says what happened, and its history is written whatever it was.
import { strict as assert } from 'assert';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { SyncInput, SyncSummary } from '../../domain/types';
import { resourceWorkflowId } from '../../domain/workflow-ids';
import { syncWorkflow } from '../../workflows/sync';
import { syncResourceWorkflow } from '../../workflows/sync-resource';
import { FakeSource, items, testEnv, testInput, withWorker, within } from './mock-activities';

const RESOURCES = ['customers', 'projects'];
/** In the order of their names (a run lists them in the configuration's order). */
const byName = <T extends { resource: string }>(list: T[]): T[] =>
  [...list].sort((a, b) => a.resource.localeCompare(b.resource));

describe('syncWorkflow (mocked activities)', function () {
  this.timeout(30_000);

  before(async function () {
    this.timeout(60_000);
    await testEnv();
  });

  /** Two list resources (the same fake list behind both), incremental: read whole. */
  function syncInput(): SyncInput {
    return { ...testInput(), resources: RESOURCES, mode: 'incremental' };
  }

  async function sync(fake: FakeSource, input: SyncInput): Promise<SyncSummary> {
    return withWorker(fake.activities(), (taskQueue, env) =>
      env.client.workflow.execute(syncWorkflow, {
        taskQueue,
        workflowId: `${taskQueue}-sync`,
        workflowExecutionTimeout: '25 seconds',
        args: [input],
      }),
    );
  }

  it('syncs every resource and records one history row each', async () => {
    const fake = new FakeSource(items(5, '2025-01-01T00:00:00Z', 60_000), 2);
    const summary = await sync(fake, syncInput());

    assert.equal(summary.outcome, 'ok');
    assert.deepEqual(
      byName(summary.resources).map((r) => [r.resource, r.ok, r.pages, r.records]),
      [
        ['customers', true, 3, 5],
        ['projects', true, 3, 5],
      ],
    );
    assert.equal(fake.callCount('prepareDestination'), 1);
    assert.ok(
      fake.calls.findIndex((c) => c.activity === 'prepareDestination') <
        fake.calls.findIndex((c) => c.activity === 'fetchPage'),
      'tables prepared before the first page',
    );
    assert.equal(fake.runRows.length, 1);
    assert.deepEqual(
      byName(fake.runRows[0]).map((r) => [r.resource, r.outcome]),
      [
        ['customers', 'ok'],
        ['projects', 'ok'],
      ],
    );
  });

  it('goes on with the other resources when one fails, then fails naming it', async () => {
    const fake = new FakeSource(items(5, '2025-01-01T00:00:00Z', 60_000), 2);
    fake.failPage = (req) =>
      req.resource.name === 'projects'
        ? ApplicationFailure.nonRetryable('HTTP 403 Forbidden', 'HttpStatus')
        : undefined;
    await assert.rejects(sync(fake, syncInput()), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
      assert.equal(err.cause.type, 'SyncFailed');
      assert.match(err.cause.message, /^sync failed for projects \(.*HTTP 403 Forbidden\)$/);
      const [summary] = err.cause.details as [SyncSummary];
      assert.equal(summary.outcome, 'failed');
      assert.deepEqual(
        byName(summary.resources).map((r) => [r.resource, r.ok, r.records]),
        [
          ['customers', true, 5],
          ['projects', false, 0],
        ],
      );
      return true;
    });
    assert.deepEqual(
      byName(fake.runRows[0] ?? []).map((r) => [r.resource, r.outcome]),
      [
        ['customers', 'ok'],
        ['projects', 'failed'],
      ],
    );
  });

  it('ends degraded when a resource could not be read consistently', async () => {
    const fake = new FakeSource(items(5, '2025-01-01T00:00:00Z', 60_000), 2);
    fake.incomplete = (req) => (req.resource.name === 'customers' ? 'page 1 of 3 is empty' : undefined);
    const summary = await sync(fake, syncInput());
    assert.equal(summary.outcome, 'degraded');
    const customers = summary.resources.find((r) => r.resource === 'customers');
    assert.ok(customers?.ok);
    assert.match(customers.degraded.join(), /page 1 of 3 is empty; nothing marked deleted there/);
    assert.equal(
      fake.deletions.filter((d) => d.resource.name === 'customers').length,
      0,
      'no deletions in customers',
    );
  });

  it('fails only the resource whose lock another sync holds', async () => {
    const fake = new FakeSource(items(5, '2025-01-01T00:00:00Z', 60_000), 2);
    const input = syncInput();
    // Another sync of customers into the same destination, held at its first page.
    fake.hold = (req) => req.syncId === 'the-other-sync';
    const held = fake.whenHeld();
    await withWorker(fake.activities(), async (taskQueue, env) => {
      const lockId = resourceWorkflowId(input.destination, 'customers');
      const other = await env.client.workflow.start(syncResourceWorkflow, {
        taskQueue,
        workflowId: lockId,
        workflowExecutionTimeout: '25 seconds',
        args: [
          {
            destination: input.destination,
            client: input.config.client,
            retry: input.config.retry,
            resource: input.config.resources.find((r) => r.name === 'customers')!,
            syncId: 'the-other-sync',
            mode: 'incremental',
            options: input.options,
          },
        ],
      });
      await within(held, 10_000, 'the other sync reading');
      const run = env.client.workflow.execute(syncWorkflow, {
        taskQueue,
        workflowId: `${taskQueue}-sync`,
        workflowExecutionTimeout: '25 seconds',
        args: [{ ...input, options: { ...input.options, lockWaitMs: 0 } }],
      });
      await assert.rejects(run, (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
        const [summary] = err.cause.details as [SyncSummary];
        const customers = summary.resources.find((r) => r.resource === 'customers');
        assert.match(
          customers?.error ?? '',
          new RegExp(`another sync of customers .* \\(workflow ${lockId}\\)`),
        );
        assert.equal(summary.resources.find((r) => r.resource === 'projects')?.ok, true);
        return true;
      });
      await other.cancel();
    });
  });

  it('ends cancelled when cancelled, and still records its history', async () => {
    const fake = new FakeSource(items(5, '2025-01-01T00:00:00Z', 60_000), 2);
    fake.hold = (req) => req.resource.name === 'customers';
    const held = fake.whenHeld();
    await withWorker(fake.activities(), async (taskQueue, env) => {
      const handle = await env.client.workflow.start(syncWorkflow, {
        taskQueue,
        workflowId: `${taskQueue}-sync`,
        workflowExecutionTimeout: '25 seconds',
        args: [syncInput()],
      });
      await within(held, 10_000, 'customers reading');
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError, String(err));
        assert.ok(err.cause instanceof CancelledFailure, String(err.cause));
        return true;
      });
    });
    assert.equal(fake.runRows.length, 1, 'history written although cancelled');
    assert.deepEqual(fake.runRows[0].find((r) => r.resource === 'customers')?.outcome, 'cancelled');
  });
});
