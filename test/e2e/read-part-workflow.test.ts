// readPartWorkflow over a fake paged list: re-reads exactly when a read was no snapshot; pauses lose no page.
import { strict as assert } from 'assert';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { decidePageStop } from '../../domain/paging';
import { pageRunActivity } from '../../activities/page-run';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { ResourceConfig } from '../../domain/source-config';
import { readEnv, resolveVariables } from '../../config/settings';
import type {
  PageRequest,
  PageResult,
  PageRunBudget,
  PageRunRequest,
  PageRunResult,
  PartResult,
  SeenRecords,
  ReadTarget,
  SyncInput,
  TimeWindow,
} from '../../domain/types';
import { isoSeconds, parseUtc, SECOND_MS, HOUR_MS } from '../../domain/windows';
import { readPartWorkflow } from '../../workflows';
import { MAX_READ_ATTEMPTS } from '../../workflows/read-part';
// Installs the SDK runtime's quiet logger, as for every e2e test.
import './harness';
import { pageCounts, takePage } from '../fake-destination';

const TEMPORAL_BIN = path.resolve(__dirname, '../../.services/temporal-cli/bin/temporal');
const SYNC_ID = 'sync-under-test';

interface Item {
  id: number;
  /** Start time (the window field), ISO seconds. */
  at: string;
}

interface Request {
  readId: string;
  /** The part's label and the read attempt, from the read id. */
  label: string;
  attempt: number;
  target: ReadTarget;
  page: number;
}

/** A paged list server (Clockodo's paging object) behind the two activities readPartWorkflow calls. */
class FakeList {
  requests: Request[] = [];
  /** Read ids seenRecords was asked about, with what it answered (each item has one content). */
  counted: { readId: string; distinct: number }[] = [];
  /** Runs after a page is answered: a test's mutations of the list between page requests. */
  afterPage: (req: Request) => void = () => {};
  /** Answers these pages with no records (the paging object unchanged). */
  emptyPage: (req: Request) => boolean = () => false;
  /** Ids that stand for two records of different content (a key collision), by what seenRecords says. */
  sharedIds = new Set<number>();
  /** A broken server that answers page 1 whatever page is asked for. */
  ignoresPageParam = false;
  private seen = new Map<string, Set<number>>();
  private stored = new Set<number>();

  constructor(
    public items: Item[],
    public perPage: number,
  ) {}

  /** Adds an item where its start time sorts it (the API lists entries by start time). */
  insert(item: Item): void {
    const i = this.items.findIndex((x) => x.at > item.at);
    this.items.splice(i < 0 ? this.items.length : i, 0, item);
  }

  activities = {
    fetchPage: (req: PageRequest): Promise<PageResult> => {
      const request: Request = {
        readId: req.readId,
        ...parseReadId(req.readId),
        target: req.target,
        page: req.page,
      };
      this.requests.push(request);
      const w = req.target.window;
      const inTarget = w ? this.items.filter((x) => x.at >= w.since && x.at <= w.until) : this.items;
      const current = this.ignoresPageParam ? 1 : req.page;
      const onPage = this.emptyPage(request)
        ? []
        : inTarget.slice((current - 1) * this.perPage, current * this.perPage);
      const doc = {
        entries: onPage,
        paging: {
          items_per_page: this.perPage,
          current_page: current,
          count_pages: Math.ceil(inTarget.length / this.perPage),
          count_items: inTarget.length,
        },
      };
      const stop = decidePageStop(req.resource.endpoint.paginator, doc, req.page, onPage.length);
      const written = takePage(this.seen, this.stored, req.readId, onPage);
      this.afterPage(request);
      const ats = onPage.map((x) => x.at).sort();
      return Promise.resolve({
        ...pageCounts(req.page, onPage.length, written, 0),
        countPages: stop.countPages,
        countItems: stop.countItems,
        last: stop.last,
        complete: stop.complete,
        lastReason: stop.reason,
        fingerprint: `${onPage.length}:${String(onPage[0]?.id)}:${String(onPage[onPage.length - 1]?.id)}`,
        cursorMax: ats[ats.length - 1],
      });
    },
    // The real page run's loop over this list (each page as fetchPage answers it; nothing to write).
    readPageRun: (req: PageRunRequest): Promise<PageRunResult> =>
      pageRunActivity(req, {
        prepare: async (page) => ({
          result: await this.activities.fetchPage({ ...req, page }),
          rows: [],
          seen: [],
          quarantined: [],
          observedMs: 0,
        }),
        write: () => Promise.resolve(),
        seen: () => this.activities.seenRecords({ readId: req.readId }),
      }),
    seenRecords: ({ readId }: { readId: string }): Promise<SeenRecords> => {
      const ids = this.seen.get(readId) ?? new Set<number>();
      const distinct = ids.size;
      this.counted.push({ readId, distinct });
      const shared = [...ids].filter((id) => this.sharedIds.has(id)).length;
      return Promise.resolve({ ids: distinct - shared, records: distinct });
    },
  };

  /** Read ids in the order their first page was requested. */
  reads(): string[] {
    return [...new Set(this.requests.map((r) => r.readId))];
  }

  /** The id of the read of `label` with that attempt number (exactly one must have been made). */
  readId(label: string, attempt: number): string {
    const ids = this.reads().filter((id) => {
      const read = parseReadId(id);
      return read.label === label && read.attempt === attempt;
    });
    assert.equal(ids.length, 1, `reads of ${label} #${attempt}: ${this.reads().join(', ')}`);
    return ids[0];
  }

  pagesOf(readId: string): number[] {
    return this.requests.filter((r) => r.readId === readId).map((r) => r.page);
  }
}

/** A read id is `syncId|label|...attempt`; what else it holds is the workflow's business. */
function parseReadId(readId: string): { label: string; attempt: number } {
  const [syncId, label, tail] = readId.split('|');
  assert.equal(syncId, SYNC_ID);
  const attempt = /(\d+)$/.exec(tail);
  assert.ok(attempt, readId);
  return { label, attempt: Number(attempt[1]) };
}

/** `n` items with ids from `firstId`, starting at `since` and `stepMs` apart. */
function items(n: number, since: string, stepMs: number, firstId = 1): Item[] {
  return Array.from({ length: n }, (_, i) => ({
    id: firstId + i,
    at: isoSeconds(parseUtc(since) + i * stepMs),
  }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const zeroTotals = { stale: 0, quarantined: 0, shapeWarnings: 0, deleted: 0, heldBack: 0, retries: 0 };

/** Two days; splitWindow halves it at the day boundary. */
const WINDOW: TimeWindow = { since: '2025-01-01T00:00:00Z', until: '2025-01-02T23:59:59Z' };
const WINDOW_LABEL = `entries ${WINDOW.since}..${WINDOW.until}`;

describe('readPartWorkflow with a fake paged list', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let input: SyncInput;

  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_BIN },
        // Runs are told to continue as new after 40 events: long reads must pause and resume.
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
      },
    });
    input = syncInputFromSettings(resolveVariables(readEnv()), parseSyncArgs([]));
  });
  after(async () => {
    await env?.teardown();
  });

  /** The real `entries` resource, read `concurrency` pages at once after page 1. */
  function entries(concurrency: number): ResourceConfig {
    const resource = structuredClone(input.config.resources.find((r) => r.name === 'entries'));
    assert.ok(resource?.endpoint.paginator && resource.endpoint.incremental_sync);
    resource.endpoint.paginator.max_concurrency = concurrency;
    return resource;
  }

  /** The status of every run of a workflow id (visibility may lag a moment behind the result). */
  async function runStatuses(workflowId: string): Promise<string[]> {
    for (let tries = 1; ; tries++) {
      const statuses: string[] = [];
      for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
        statuses.push(wf.status.name);
      }
      if (statuses.includes('COMPLETED') || tries === 20) return statuses;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Runs readPartWorkflow for `target` on a fresh task queue, with `fake` as its activities. */
  async function readPart(
    fake: FakeList,
    target: ReadTarget,
    concurrency = 2,
    resource: ResourceConfig = entries(concurrency),
    /** Records and seconds per page run (PAGE_RUN_BUDGET unless given). */
    pageRunBudget?: PageRunBudget,
  ): Promise<{ result: PartResult; workflowId: string }> {
    const taskQueue = `read-part-${randomBytes(4).toString('hex')}`;
    const workflowId = `${taskQueue}-wf`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: fake.activities,
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(readPartWorkflow, {
        taskQueue,
        workflowId,
        // Fails a run that loops before mocha's timeout would leave its worker running.
        workflowExecutionTimeout: '90 seconds',
        args: [
          {
            destination: input.destination,
            client: input.config.client,
            retry: input.config.retry,
            resource,
            syncId: SYNC_ID,
            target,
            ...(pageRunBudget ? { pageRunBudget } : {}),
          },
        ],
      }),
    );
    return { result, workflowId };
  }

  it('reads a list that holds still once: one consistent outcome, each page once', async () => {
    const fake = new FakeList(items(5, '2025-01-01T08:00:00Z', HOUR_MS), 2);
    const { result } = await readPart(fake, { window: WINDOW });

    const readId = fake.readId(WINDOW_LABEL, 1);
    assert.deepEqual(fake.reads(), [readId]);
    assert.deepEqual(
      fake.pagesOf(readId).sort((a, b) => a - b),
      [1, 2, 3],
    );
    assert.deepEqual(fake.counted, [{ readId, distinct: 5 }]);
    assert.deepEqual(result.outcomes, [
      {
        target: { window: WINDOW },
        label: WINDOW_LABEL,
        readId,
        consistent: true,
        records: 5,
        cursorMax: '2025-01-01T12:00:00Z',
      },
    ]);
    assert.deepEqual(result.rereads, []);
    assert.deepEqual(result.totals, { pages: 3, records: 5, rows: 5, unchanged: 0, ...zeroTotals });
  });

  // The client that started a run may be older than the worker: its input names the paginator's keys
  // as before dlt's names (type "cursor", cursor_param, count_pages_path). The same pages are read.
  it("reads the same pages from an input with the paginator's old keys", async () => {
    const { paginator, ...endpoint } = entries(2).endpoint;
    assert.ok(paginator);
    const { page_param, total_path, limit, limit_param, stop_condition, max_concurrency } = paginator;
    const legacy = { type: 'cursor', cursor_param: page_param, count_pages_path: total_path };
    const old = {
      ...entries(2),
      endpoint: {
        ...endpoint,
        paginator: { ...legacy, limit, limit_param, stop_condition, max_concurrency },
      },
    };
    const fake = new FakeList(items(5, '2025-01-01T08:00:00Z', HOUR_MS), 2);
    const { result } = await readPart(fake, { window: WINDOW }, 2, old as unknown as ResourceConfig);
    const readId = fake.readId(WINDOW_LABEL, 1);
    assert.deepEqual(
      fake.pagesOf(readId).sort((a, b) => a - b),
      [1, 2, 3],
    );
    assert.deepEqual(result.totals, { pages: 3, records: 5, rows: 5, unchanged: 0, ...zeroTotals });
  });

  it('re-reads a window whose count_items changed in two halves that tile it', async () => {
    // Items every 4 hours from the window's start (10 of them), 3 to a page: 4 pages.
    const fake = new FakeList(items(10, WINDOW.since, 4 * HOUR_MS), 3);
    fake.afterPage = (req) => {
      if (req.attempt === 1 && req.page === 1) fake.insert({ id: 100, at: '2025-01-02T13:00:00Z' });
    };
    const { result } = await readPart(fake, { window: WINDOW });

    const first: TimeWindow = { since: '2025-01-01T00:00:00Z', until: '2025-01-01T23:59:59Z' };
    const second: TimeWindow = { since: '2025-01-02T00:00:00Z', until: '2025-01-02T23:59:59Z' };
    assert.equal(first.since, WINDOW.since);
    assert.equal(second.until, WINDOW.until);
    assert.equal(parseUtc(second.since) - parseUtc(first.until), SECOND_MS);

    const rereadTargets = fake.requests.filter((r) => r.attempt === 2).map((r) => r.target);
    assert.deepEqual(
      [...new Map(rereadTargets.map((t) => [JSON.stringify(t), t])).values()],
      [{ window: first }, { window: second }],
    );
    const halves = [first, second].map((w) => fake.readId(`entries ${w.since}..${w.until}`, 2));
    assert.deepEqual(fake.reads(), [fake.readId(WINDOW_LABEL, 1), ...halves]);
    assert.deepEqual(
      fake.pagesOf(fake.readId(WINDOW_LABEL, 1)).sort((a, b) => a - b),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      halves.map((id) => fake.pagesOf(id).sort((a, b) => a - b)),
      [
        [1, 2],
        [1, 2],
      ],
    );

    assert.deepEqual(
      result.outcomes.map((o) => [o.target, o.readId, o.consistent, o.records]),
      [
        [{ window: first }, halves[0], true, 6],
        [{ window: second }, halves[1], true, 5],
      ],
    );
    assert.deepEqual(result.rereads, [
      `${WINDOW_LABEL}: count_items changed from page to page (10..11); read again in two halves (read 2)`,
    ]);
    // The first read wrote all 11 (the new one included); the halves found them stored.
    assert.deepEqual(result.totals, { pages: 8, records: 22, rows: 11, unchanged: 11, ...zeroTotals });
  });

  describe('a list that never holds still', () => {
    /** Adds an item at the start of whatever is being read, after each read's first page. */
    const restless = (fake: FakeList) => {
      let next = 1000;
      fake.afterPage = (req) => {
        if (req.page === 1)
          fake.insert({ id: next++, at: req.target.window?.since ?? '2024-12-31T00:00:00Z' });
      };
    };

    it(`gives a window up as degraded after ${MAX_READ_ATTEMPTS} reads in each lineage`, async () => {
      // One item an hour: each quarter of the window still has several pages of 2.
      const fake = new FakeList(items(48, WINDOW.since, HOUR_MS), 2);
      restless(fake);
      const { result } = await readPart(fake, { window: WINDOW });

      // Each inconsistent read below the bound splits in two: 1 + 2 + 4 reads for a bound of 3.
      const reads = fake.reads();
      assert.equal(reads.length, 2 ** MAX_READ_ATTEMPTS - 1);
      const perAttempt = range(1, MAX_READ_ATTEMPTS).map(
        (a) => reads.filter((id) => parseReadId(id).attempt === a).length,
      );
      assert.deepEqual(
        perAttempt,
        range(1, MAX_READ_ATTEMPTS).map((a) => 2 ** (a - 1)),
      );
      for (const id of reads) {
        const pages = fake.pagesOf(id);
        assert.equal(new Set(pages).size, pages.length, `${id} asked for a page twice`);
      }

      const leaves = 2 ** (MAX_READ_ATTEMPTS - 1);
      assert.equal(result.outcomes.length, leaves);
      for (const o of result.outcomes) {
        assert.equal(o.consistent, false, o.label);
        assert.match(o.reason ?? '', /^count_items changed from page to page \(\d+\.\.\d+\)$/);
        assert.equal(parseReadId(o.readId).attempt, MAX_READ_ATTEMPTS, o.readId);
        assert.equal(o.cursorMax, undefined);
      }
      // The degraded windows still tile the original one.
      const windows = result.outcomes.map((o) => o.target.window as TimeWindow);
      assert.equal(windows[0].since, WINDOW.since);
      assert.equal(windows[windows.length - 1].until, WINDOW.until);
      for (let i = 1; i < windows.length; i++) {
        assert.equal(parseUtc(windows[i].since) - parseUtc(windows[i - 1].until), SECOND_MS);
      }
      assert.equal(result.rereads.length, reads.length);
      assert.equal(result.rereads.filter((r) => r.includes('; read again in two halves (read ')).length, 3);
      assert.equal(
        result.rereads.filter((r) => r.endsWith(`; gave up after ${MAX_READ_ATTEMPTS} reads`)).length,
        leaves,
      );
    });

    it(`gives a list up as degraded after ${MAX_READ_ATTEMPTS} whole reads`, async () => {
      const fake = new FakeList(items(6, WINDOW.since, HOUR_MS), 2);
      restless(fake);
      const { result } = await readPart(fake, {});

      assert.deepEqual(
        fake.reads(),
        range(1, MAX_READ_ATTEMPTS).map((a) => fake.readId('entries', a)),
      );
      assert.ok(
        fake.requests.every((r) => r.target.window === undefined && r.target.partition === undefined),
      );
      assert.equal(result.outcomes.length, 1);
      const [outcome] = result.outcomes;
      assert.equal(outcome.consistent, false);
      assert.equal(outcome.readId, fake.readId('entries', MAX_READ_ATTEMPTS));
      assert.match(outcome.reason ?? '', /^count_items changed from page to page/);
      assert.equal(result.rereads.length, MAX_READ_ATTEMPTS);
      assert.match(result.rereads[0], /^entries: count_items changed .*; read again \(read 2\)$/);
      assert.match(
        result.rereads[MAX_READ_ATTEMPTS - 1],
        new RegExp(`^entries: count_items changed .*; gave up after ${MAX_READ_ATTEMPTS} reads$`),
      );
    });
  });

  it('re-reads a list target (no window) whole after one inconsistent read', async () => {
    const fake = new FakeList(items(6, WINDOW.since, HOUR_MS), 2);
    fake.afterPage = (req) => {
      if (req.attempt === 1 && req.page === 1) fake.insert({ id: 50, at: '2025-01-01T02:30:00Z' });
    };
    const { result } = await readPart(fake, {});

    const [first, second] = [fake.readId('entries', 1), fake.readId('entries', 2)];
    assert.deepEqual(fake.reads(), [first, second]);
    assert.ok(fake.requests.every((r) => JSON.stringify(r.target) === '{}'));
    assert.deepEqual(
      fake.pagesOf(second).sort((a, b) => a - b),
      [1, 2, 3, 4],
    );
    assert.deepEqual(result.rereads, [
      'entries: count_items changed from page to page (6..7); read again (read 2)',
    ]);
    assert.deepEqual(
      result.outcomes.map((o) => [o.target, o.label, o.readId, o.consistent, o.records]),
      [[{}, 'entries', second, true, 7]],
    );
  });

  it('re-reads after an empty page before the declared last one, without counting its ids', async () => {
    const fake = new FakeList(items(6, WINDOW.since, HOUR_MS), 2);
    fake.emptyPage = (req) => req.attempt === 1 && req.page === 2;
    const { result } = await readPart(fake, {}, 1);

    const [first, second] = [fake.readId('entries', 1), fake.readId('entries', 2)];
    assert.deepEqual(fake.reads(), [first, second]);
    assert.deepEqual(fake.pagesOf(first), [1, 2], 'the empty page ends the read: page 3 is not asked');
    assert.deepEqual(fake.pagesOf(second), [1, 2, 3]);
    // The incomplete read is judged without asking the destination.
    assert.deepEqual(fake.counted, [{ readId: second, distinct: 6 }]);
    assert.deepEqual(result.rereads, ['entries: page 2 of 3 is empty; read again (read 2)']);
    assert.deepEqual(
      result.outcomes.map((o) => [o.readId, o.consistent, o.records]),
      [[second, true, 6]],
    );
    assert.deepEqual(result.totals, { pages: 5, records: 8, rows: 6, unchanged: 2, ...zeroTotals });
  });

  it('judges a read with a record twice (fewer distinct ids than records) inconsistent', async () => {
    const fake = new FakeList(items(6, WINDOW.since, HOUR_MS), 2);
    // After page 1, one entry appears before it and the last one goes: count_items stays 6, but
    // record 2 slides onto page 2 and comes twice, while the new one is never seen.
    fake.afterPage = (req) => {
      if (req.attempt === 1 && req.page === 1) {
        fake.items.pop();
        fake.insert({ id: 0, at: '2024-12-31T23:00:00Z' });
      }
    };
    const { result } = await readPart(fake, {}, 1);

    const [first, second] = [fake.readId('entries', 1), fake.readId('entries', 2)];
    assert.deepEqual(fake.counted, [
      { readId: first, distinct: 5 },
      { readId: second, distinct: 6 },
    ]);
    assert.deepEqual(result.rereads, [
      'entries: received 6 records with an id but 5 distinct ones; read again (read 2)',
    ]);
    assert.deepEqual(
      result.outcomes.map((o) => [o.readId, o.consistent, o.records]),
      [[second, true, 6]],
    );
  });

  it('counts a key two different records share as a collision, not a reason to read again', async () => {
    // Six records, five keys: the records with ids 3 and 4 are one key with two contents.
    const fake = new FakeList(items(6, WINDOW.since, HOUR_MS), 2);
    fake.sharedIds.add(fake.items[3].id);
    const { result } = await readPart(fake, {}, 1);
    const readId = fake.readId('entries', 1);
    assert.deepEqual(fake.reads(), [readId], 'read once');
    assert.deepEqual(result.rereads, []);
    assert.deepEqual(
      result.outcomes.map((o) => [o.readId, o.consistent, o.records, o.collisions]),
      [[readId, true, 6, 1]],
    );
  });

  it("fails without retrying when the server answers page 1's records for page 2", async () => {
    const fake = new FakeList(items(6, WINDOW.since, HOUR_MS), 2);
    fake.ignoresPageParam = true;
    await assert.rejects(readPart(fake, { window: WINDOW }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
      assert.equal(err.cause.type, 'PagingRepeats');
      assert.equal(err.cause.nonRetryable, true);
      assert.equal(
        err.cause.message,
        `${WINDOW_LABEL}: page 2 repeats page 1 (the server ignores the page parameter?)`,
      );
      return true;
    });
    assert.deepEqual(fake.counted, []);
  });

  it('continues as new in the middle of a long read and still reads each page once', async () => {
    // 50 entries, 2 to a page, 4 records to a page run: 13 runs, more events than the 40 after which a
    // run continues.
    const fake = new FakeList(items(50, WINDOW.since, HOUR_MS / 2), 2);
    const budget = { records: 4, seconds: 30 };
    const { result, workflowId } = await readPart(fake, { window: WINDOW }, 2, entries(2), budget);

    const statuses = await runStatuses(workflowId);
    assert.ok(
      statuses.filter((s) => s === 'CONTINUED_AS_NEW').length >= 1,
      `expected a continued run, got ${statuses.join(', ')}`,
    );
    assert.equal(statuses.filter((s) => s === 'COMPLETED').length, 1, statuses.join(', '));

    const readId = fake.readId(WINDOW_LABEL, 1);
    assert.deepEqual(fake.reads(), [readId]);
    assert.deepEqual(
      fake.pagesOf(readId).sort((a, b) => a - b),
      range(1, 25),
    );
    assert.deepEqual(fake.counted, [{ readId, distinct: 50 }]);
    assert.deepEqual(result.outcomes, [
      {
        target: { window: WINDOW },
        label: WINDOW_LABEL,
        readId,
        consistent: true,
        records: 50,
        cursorMax: '2025-01-02T00:30:00Z',
      },
    ]);
    assert.deepEqual(result.rereads, []);
    assert.deepEqual(result.totals, { pages: 25, records: 50, rows: 50, unchanged: 0, ...zeroTotals });
  });
});
