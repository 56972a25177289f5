// readPartWorkflow and its paging loop (readPageRuns, with the real page run's loop over an in-memory
// list) with in-memory activities: the order pages are read in, Temporal's retries and the second
// chance, failures, and state carried across continue-as-new. (test/e2e/read-part-workflow.test.ts covers re-reads of a changing list.)
import { strict as assert } from 'assert';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { ResourceConfig } from '../../domain/source-config';
import { emptyTotals } from '../../domain/totals';
import type { PageRunBudget, PartResult, ReadTarget, SyncInput } from '../../domain/types';
import { partTotalsQuery, ReadPartInput, readPartWorkflow } from '../../workflows/read-part';
import {
  FakeSource,
  items,
  range,
  resourceOf,
  testEnv,
  testInput,
  withWorker,
  within,
} from './mock-activities';

const HOUR_MS = 3_600_000;

interface PartOptions {
  concurrency?: number;
  target?: ReadTarget;
  /** Records and seconds per page run (PAGE_RUN_BUDGET unless given). */
  budget?: PageRunBudget;
}
const RUN_ID = 'wf-test-run';

describe('readPartWorkflow (mocked activities)', function () {
  this.timeout(30_000);
  let input: SyncInput;

  before(async function () {
    this.timeout(60_000); // the first file to run starts the server and bundles the workflows
    input = testInput();
    await testEnv();
  });

  /** Runs readPartWorkflow over `fake` for the `entries` list (no window), `concurrency` pages at once. */
  async function readPart(fake: FakeSource, opts: PartOptions = {}): Promise<PartResult> {
    return (await readPartRuns(fake, opts)).result;
  }

  /** readPart, and the status of the workflow's first run (CONTINUED_AS_NEW when it paused). */
  async function readPartRuns(
    fake: FakeSource,
    opts: PartOptions = {},
  ): Promise<{ result: PartResult; firstRun: string }> {
    const resource = resourceOf(input, 'entries');
    assert.ok(resource.endpoint.paginator);
    resource.endpoint.paginator.max_concurrency = opts.concurrency ?? 1;
    return withWorker(fake.activities(), async (taskQueue, env) => {
      const handle = await env.client.workflow.start(readPartWorkflow, {
        taskQueue,
        workflowId: `${taskQueue}-part`,
        // A run that loops fails before mocha's timeout would leave its worker running.
        workflowExecutionTimeout: '25 seconds',
        args: [
          {
            ...partInput(resource, opts.target ?? {}),
            ...(opts.budget ? { pageRunBudget: opts.budget } : {}),
          },
        ],
      });
      const result = await handle.result();
      const first = env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
      return { result, firstRun: (await first.describe()).status.name };
    });
  }

  function partInput(resource: ResourceConfig, target: ReadTarget): ReadPartInput {
    return {
      destination: input.destination,
      client: input.config.client,
      retry: input.config.retry,
      resource,
      syncId: RUN_ID,
      target,
      secondChanceDelayMs: input.options.secondChanceDelayMs,
    };
  }

  const pagesAsked = (fake: FakeSource) => fake.pageCalls().map((c) => c.req.page);

  it('reads page 1 alone, then the others; totals add up over the pages', async () => {
    const fake = new FakeSource(items(9, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    const result = await readPart(fake, { concurrency: 3 });

    const asked = pagesAsked(fake);
    assert.equal(asked[0], 1, 'page 1 tells the count: it goes first');
    assert.deepEqual(
      [...asked].sort((a, b) => a - b),
      range(1, 5),
      'each page once',
    );
    assert.deepEqual(
      result.outcomes.map((o) => [o.consistent, o.records]),
      [[true, 9]],
    );
    assert.equal(fake.callCount('readPageRun'), 1, 'one page run read all five pages');
    assert.equal(fake.callCount('seenRecords'), 0, 'the run counted what the read saw');
    assert.deepEqual(result.totals, { ...emptyTotals(), pages: 5, records: 9, rows: 9 });
  });

  it('reads one page at a time, in order, at concurrency 1', async () => {
    const fake = new FakeSource(items(7, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    await readPart(fake, { concurrency: 1 });
    assert.deepEqual(pagesAsked(fake), [1, 2, 3, 4]);
  });

  it('lets Temporal retry a failing page, and counts the page once', async () => {
    const fake = new FakeSource(items(7, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    fake.failPage = (req, attempt) =>
      req.page === 2 && attempt < 2 ? ApplicationFailure.retryable('HTTP 503', 'HttpError') : undefined;
    const result = await readPart(fake, { concurrency: 2 });

    const page2 = fake.pageCalls().filter((c) => c.req.page === 2);
    assert.deepEqual(
      page2.map((c) => c.attempt),
      [1, 2],
      'one series: attempts 1 and 2',
    );
    assert.equal(
      fake.pageCalls().filter((c) => c.req.page === 1).length,
      1,
      'the retry resumed where the failed attempt stopped: page 1 is not read again',
    );
    assert.equal(result.totals.pages, 4);
    assert.equal(result.totals.records, 7, 'the retried page counted once');
    assert.equal(result.totals.retries, 1);
    assert.deepEqual(
      result.outcomes.map((o) => [o.consistent, o.records]),
      [[true, 7]],
    );
  });

  it('gives a page whose retries ran out a second chance, a new series later', async () => {
    const fake = new FakeSource(items(7, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    const maxAttempts = input.config.retry.max_retries + 1;
    let page3Calls = 0;
    fake.failPage = (req) =>
      req.page === 3 && ++page3Calls <= maxAttempts ? ApplicationFailure.retryable('HTTP 502') : undefined;
    const result = await readPart(fake, { concurrency: 2 });

    assert.deepEqual(
      fake
        .pageCalls()
        .filter((c) => c.req.page === 3)
        .map((c) => c.attempt),
      [...range(1, maxAttempts), 1],
      'a whole series, then a new one',
    );
    assert.equal(result.totals.records, 7);
    assert.equal(result.outcomes[0].consistent, true);
  });

  it('fails naming the page when its second chance fails too, without judging the read', async () => {
    const fake = new FakeSource(items(7, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    fake.failPage = (req) => (req.page === 3 ? ApplicationFailure.retryable('HTTP 500 again') : undefined);
    await assert.rejects(readPart(fake, { concurrency: 2 }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
      assert.equal(err.cause.type, 'PagesFailed');
      assert.match(err.cause.message, /^entries: 1 page failed .*: page 3: HTTP 500 again$/);
      return true;
    });
    const maxAttempts = input.config.retry.max_retries + 1;
    assert.equal(fake.pageCalls().filter((c) => c.req.page === 3).length, 2 * maxAttempts);
    assert.equal(fake.callCount('seenRecords'), 0);
  });

  it('fails at once on a failure that cannot heal: no retry, no second chance', async () => {
    const fake = new FakeSource(items(7, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    fake.failPage = (req) =>
      req.page === 2
        ? ApplicationFailure.nonRetryable('no list at data_selector', 'UnexpectedResponseShape')
        : undefined;
    await assert.rejects(readPart(fake, { concurrency: 1 }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ActivityFailure, String(err.cause));
      assert.ok(err.cause.cause instanceof ApplicationFailure, String(err.cause.cause));
      assert.equal(err.cause.cause.type, 'UnexpectedResponseShape');
      return true;
    });
    assert.deepEqual(pagesAsked(fake), [1, 2], 'page 2 once, nothing after it');
  });

  it('answers the partTotals query with the totals of the reads done so far', async () => {
    const fake = new FakeSource(items(4, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    // The first read is incomplete (page 1 ends it), the second is held: the first's totals show.
    fake.incomplete = (req) => (req.readId.endsWith('.1') ? 'page 1 of 2 is empty' : undefined);
    fake.hold = (req) => req.readId.endsWith('.2');
    const held = fake.whenHeld();
    const cancelled = fake.whenCancelled();
    await withWorker(fake.activities(), async (taskQueue, env) => {
      const handle = await env.client.workflow.start(readPartWorkflow, {
        taskQueue,
        workflowId: `${taskQueue}-part`,
        workflowExecutionTimeout: '25 seconds',
        args: [partInput(resourceOf(input, 'entries'), {})],
      });
      await within(held, 10_000, 'a page held');
      const progress = await handle.query(partTotalsQuery);
      assert.equal(progress.pages, 1);
      assert.equal(progress.records, 2);
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
      await within(cancelled, 5_000, 'the held page sees its cancellation');
    });
    assert.equal(fake.cancelledPages.length, 1, 'the held page saw its cancellation');
  });

  it('carries its totals and re-reads across continue-as-new', async () => {
    // 30 items, 2 to a page: 15 pages, past the test server's 40 events. The list grows after the
    // first read's page 1 (16 pages then), so that read is inconsistent and the list is read again.
    const fake = new FakeSource(items(30, '2025-01-01T00:00:00Z', HOUR_MS), 2);
    fake.afterPage = (req) => {
      if (req.readId.endsWith('.1') && req.page === 1 && fake.items.length === 30) {
        fake.insert({ id: 99, at: '2024-12-31T00:00:00Z' });
      }
    };
    // Two pages per page run: each run is a few events of the history.
    const { result, firstRun } = await readPartRuns(fake, {
      concurrency: 2,
      budget: { records: 4, seconds: 30 },
    });

    assert.equal(firstRun, 'CONTINUED_AS_NEW');
    const reads = [...new Set(fake.pageCalls().map((c) => c.req.readId))];
    assert.equal(reads.length, 2);
    for (const readId of reads) {
      const pages = fake
        .pageCalls()
        .filter((c) => c.req.readId === readId)
        .map((c) => c.req.page);
      assert.deepEqual(
        [...pages].sort((a, b) => a - b),
        range(1, 16),
        `${readId}: each page once`,
      );
    }
    assert.equal(result.totals.pages, 32);
    assert.equal(result.totals.records, 31 + 31);
    assert.equal(result.rereads.length, 1);
    assert.match(result.rereads[0], /^entries: count_items changed from page to page \(30\.\.31\)/);
    assert.deepEqual(
      result.outcomes.map((o) => [o.consistent, o.records]),
      [[true, 31]],
    );
  });
});
