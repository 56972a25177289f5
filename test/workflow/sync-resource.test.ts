// syncResourceWorkflow with in-memory activities: the windows of a resource read as child workflows,
// then deletions inside the consistent ones, then the cursor, and only when every part was read.
import { strict as assert } from 'assert';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, ChildWorkflowFailure } from '@temporalio/common';
import type { ResourceResult, ResourceSyncInput, SyncMode, TimeWindow } from '../../domain/types';
import { DAY_MS, isoSeconds } from '../../domain/windows';
import { partWorkflowId, resourceWorkflowId } from '../../domain/workflow-ids';
import { syncResourceWorkflow } from '../../workflows/sync-resource';
import { FakeSource, Item, resourceOf, testEnv, testInput, withWorker, within } from './mock-activities';

/** Midnight 40 days ago: the start date. Windows of 30 days: [START, SECOND_WINDOW), [SECOND_WINDOW, now]. */
const START_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS - 40 * DAY_MS;
const SECOND_WINDOW = isoSeconds(START_MS + 30 * DAY_MS);
const inSecondWindow = (w?: TimeWindow) => w !== undefined && w.since >= SECOND_WINDOW;

/** An entry every 3 days from the start date, changed a day after it starts. */
const entries = (): Item[] =>
  Array.from({ length: 12 }, (_, i) => ({
    id: i + 1,
    at: isoSeconds(START_MS + i * 3 * DAY_MS + 3_600_000),
    changed: isoSeconds(START_MS + (i * 3 + 1) * DAY_MS),
  }));
const NEWEST_CHANGE = isoSeconds(START_MS + 34 * DAY_MS);

describe('syncResourceWorkflow (mocked activities)', function () {
  this.timeout(30_000);

  before(async function () {
    this.timeout(60_000);
    await testEnv();
  });

  /** The `entries` resource from the start date in windows of 30 days, as `mode` reads it. */
  function resourceInput(mode: SyncMode): ResourceSyncInput {
    const input = testInput();
    const resource = resourceOf(input, 'entries');
    const inc = resource.endpoint.incremental_sync;
    assert.ok(inc);
    inc.start_datetime = isoSeconds(START_MS).slice(0, 10);
    inc.slice_days = 30;
    return {
      destination: input.destination,
      client: input.config.client,
      retry: input.config.retry,
      resource,
      syncId: 'wf-test-sync',
      mode,
      // A lookback past the start date: an incremental run's windows are the same as a full one's.
      options: { ...input.options, lookbackDays: 3650, horizonDays: 0 },
    };
  }

  async function syncResource(fake: FakeSource, input: ResourceSyncInput): Promise<ResourceResult> {
    return withWorker(fake.activities(), (taskQueue, env) =>
      env.client.workflow.execute(syncResourceWorkflow, {
        taskQueue,
        workflowId: resourceWorkflowId(input.destination, input.resource.name),
        workflowExecutionTimeout: '25 seconds',
        args: [input],
      }),
    );
  }

  const index = (fake: FakeSource, activity: string) => fake.calls.findIndex((c) => c.activity === activity);
  const lastIndex = (fake: FakeSource, activity: string) =>
    fake.calls.map((c) => c.activity as string).lastIndexOf(activity);

  it('records the cursor once, after every window was read and deletions marked', async () => {
    const fake = new FakeSource(entries(), 5);
    const input = resourceInput('reconcile');
    const result = await syncResource(fake, input);

    const windows = [...new Set(fake.pageCalls().map((c) => JSON.stringify(c.req.target.window)))];
    assert.equal(windows.length, 2, windows.join(' '));
    assert.equal(result.rows, 12);
    assert.deepEqual(result.degraded, []);
    assert.equal(fake.deletions.length, 1);
    const scope = fake.deletions[0].scope;
    assert.ok(scope.kind === 'windows', scope.kind);
    assert.deepEqual(
      scope.windows.map((w) => JSON.stringify(w)).sort(),
      windows.sort(),
      'deletions in both windows',
    );
    assert.equal(fake.cursorWrites.length, 1);
    assert.equal(fake.cursorWrites[0].cursor, NEWEST_CHANGE, 'the newest change of all windows');
    assert.deepEqual(fake.cursorWrites[0].window, result.window);
    assert.equal(result.cursor, NEWEST_CHANGE);
    assert.ok(index(fake, 'recordCursor') > lastIndex(fake, 'fetchPage'), 'cursor after the last page');
    assert.ok(index(fake, 'recordCursor') > index(fake, 'markDeletions'), 'cursor after deletions');
  });

  it('leaves the cursor and deletions alone where a window could not be read consistently', async () => {
    const fake = new FakeSource(entries(), 5);
    const previous = isoSeconds(START_MS + DAY_MS);
    fake.cursor = {
      resource: 'entries',
      cursor: previous,
      window: { since: isoSeconds(START_MS), until: previous },
      syncId: 'an-earlier-run',
      mode: 'incremental',
    };
    // Every read of the second window (and of its halves) stops before its declared end.
    fake.incomplete = (req) => (inSecondWindow(req.target.window) ? 'page 1 of 2 is empty' : undefined);
    const result = await syncResource(fake, resourceInput('incremental'));

    assert.equal(fake.cursorWrites.length, 0, 'cursor not moved');
    assert.equal(result.cursor, previous);
    assert.ok(
      result.notes.includes('cursor left where it was: the read was not complete'),
      result.notes.join(),
    );
    assert.ok(result.degraded.length > 0);
    for (const d of result.degraded) assert.match(d, /page 1 of 2 is empty; nothing marked deleted there$/);
    assert.equal(fake.deletions.length, 1);
    const scope = fake.deletions[0].scope;
    assert.equal(scope.kind, 'windows');
    assert.ok(scope.kind === 'windows' && scope.windows.length === 1 && !inSecondWindow(scope.windows[0]));
    assert.equal(result.rereads.length, 1 + 2 + 4, 'a window, its halves, their halves');
  });

  it('fails when a part fails: no deletions, no cursor', async () => {
    const fake = new FakeSource(entries(), 5);
    fake.failPage = (req) =>
      inSecondWindow(req.target.window) ? new Error('HTTP 500 Internal Server Error') : undefined;
    const input = resourceInput('reconcile');
    // One attempt a series: the test waits on no retry.
    input.retry = { ...input.retry, max_retries: 0 };
    input.options = { ...input.options, secondChanceDelayMs: 10 };
    await assert.rejects(syncResource(fake, input), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ChildWorkflowFailure, String(err.cause));
      return true;
    });
    assert.deepEqual(fake.deletions, []);
    assert.deepEqual(fake.cursorWrites, []);
  });

  it('reads again a window whose count moved after it was read, then records the cursor', async () => {
    const fake = new FakeSource(entries(), 5);
    let moved = false;
    fake.countNow = (target) => {
      // The first window gains an entry after all windows were read (its count check sees 5 + 1).
      if (!moved && target.window && !inSecondWindow(target.window)) {
        moved = true;
        fake.insert({ id: 100, at: isoSeconds(START_MS + 2 * DAY_MS), changed: NEWEST_CHANGE });
      }
      return fake.itemsIn(target).length;
    };
    const result = await syncResource(fake, resourceInput('reconcile'));

    assert.equal(result.rereads.length, 1, result.rereads.join('\n'));
    assert.match(result.rereads[0], /: count_items is 11 now, 10 when read; read again$/);
    const recheck = fake.pageCalls().filter((c) => c.req.readId.endsWith('|1.1'));
    assert.ok(recheck.length > 0, 'the window read in round 1');
    assert.ok(recheck.every((c) => !inSecondWindow(c.req.target.window)));
    assert.equal(result.rows, 13);
    assert.deepEqual(result.degraded, []);
    assert.equal(fake.deletions.length, 1);
    assert.ok(
      fake.deletions[0].readIds.some((id) => id.endsWith('|1.1')),
      'deletions judged by the new read',
    );
    assert.equal(fake.cursorWrites.length, 1);
  });

  it('ends cancelled when cancelled mid-read: the parts cancelled, no deletions, no cursor', async () => {
    const fake = new FakeSource(entries(), 5);
    fake.hold = (req) => inSecondWindow(req.target.window);
    const held = fake.whenHeld();
    const cancelled = fake.whenCancelled();
    const input = resourceInput('reconcile');
    const resourceId = resourceWorkflowId(input.destination, input.resource.name);
    await withWorker(fake.activities(), async (taskQueue, env) => {
      const handle = await env.client.workflow.start(syncResourceWorkflow, {
        taskQueue,
        workflowId: resourceId,
        workflowExecutionTimeout: '25 seconds',
        args: [input],
      });
      await within(held, 10_000, 'a page held');
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError, String(err));
        assert.ok(err.cause instanceof CancelledFailure, String(err.cause));
        return true;
      });
      await within(cancelled, 5_000, 'the held page sees its cancellation');
      const window = fake.cancelledPages[0]?.target.window;
      assert.ok(window, 'the held page saw its cancellation');
      const part = env.client.workflow.getHandle(
        partWorkflowId(resourceId, `${window.since}..${window.until}`),
      );
      assert.equal((await part.describe()).status.name, 'CANCELLED');
    });
    assert.deepEqual(fake.deletions, []);
    assert.deepEqual(fake.cursorWrites, []);
  });
});
