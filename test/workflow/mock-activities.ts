// What the workflow tests share: one ephemeral Temporal dev server and one workflow bundle for the
// whole mocha process, and in-memory activities (a fake paged API with a fake destination behind it)
// that record every call. No ClickHouse, no API server: the workflows' orchestration alone.
import '../quiet-runtime';
import { strict as assert } from 'assert';
import { existsSync } from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { pageCounts, takePage } from '../fake-destination';
import { pageRunActivity } from '../../activities/page-run';
import type { RunRow } from '../../clickhouse/run-history';
import type { ResourceConfig } from '../../domain/source-config';
import type {
  CursorState,
  DeletionResult,
  Destination,
  MarkDeletionsRequest,
  PageRequest,
  PageResult,
  ReadTarget,
  SyncInput,
} from '../../domain/types';
import { RESOURCES_KEY, ROWS_SYNCED_KEY, SYNC_MODE_KEY } from '../../domain/search-attributes';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { readEnv, resolveVariables } from '../../config/settings';

export const TEMPORAL_BIN = path.resolve(__dirname, '../../.services/temporal-cli/bin/temporal');

/** Events after which the test server suggests continue-as-new: long reads must pause and resume. */
export const SUGGEST_CONTINUE_AS_NEW_AFTER = 40;

let env: Promise<TestWorkflowEnvironment> | undefined;
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The dev server of this test process (started on first use, ~1 s), from the project's Temporal CLI. */
export function testEnv(): Promise<TestWorkflowEnvironment> {
  if (!existsSync(TEMPORAL_BIN)) {
    throw new Error(
      `no Temporal CLI at ${TEMPORAL_BIN}: install it (no root needed) with ` +
        '`bash scripts/services-install.sh --temporal-cli`',
    );
  }
  env ??= TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_BIN },
      searchAttributes: [RESOURCES_KEY, SYNC_MODE_KEY, ROWS_SYNCED_KEY],
      // The server's start-up chatter is noise here: a test that needs the server says so when it fails.
      log: { format: 'pretty', level: 'never' },
      extraArgs: [
        '--dynamic-config-value',
        `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AFTER}`,
      ],
    },
  });
  return env;
}

/** The workflows bundled once per process: bundling takes seconds, a worker start with it none. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  const quiet = () => undefined;
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error },
  });
  return bundle;
}

// A root hook (this module is loaded before any suite): the server outlives every file that uses it.
after(async () => {
  const running = env;
  env = undefined;
  await (await running)?.teardown();
});

/** Runs `fn` with a worker on a fresh task queue that serves `activities`; stops the worker after. */
export async function withWorker<T>(
  activities: Activities,
  fn: (taskQueue: string, env: TestWorkflowEnvironment) => Promise<T>,
): Promise<T> {
  const [e, workflowBundle_] = await Promise.all([testEnv(), workflowBundle()]);
  const taskQueue = `wf-test-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection: e.nativeConnection,
    namespace: e.namespace ?? 'default',
    taskQueue,
    workflowBundle: workflowBundle_,
    activities,
    // Heartbeats reach the server at once, so a cancellation reaches a held activity within ~0.1 s.
    maxHeartbeatThrottleInterval: 100,
    defaultHeartbeatThrottleInterval: 100,
  });
  return worker.runUntil(fn(taskQueue, e));
}

/** The project's sync input as `start-sync` would make it, into a destination of the test's own. */
export function testInput(): SyncInput {
  const input = syncInputFromSettings(resolveVariables(readEnv()), parseSyncArgs([]));
  const destination: Destination = {
    url: 'http://clickhouse.invalid:8123',
    database: `wf_${randomBytes(4).toString('hex')}`,
  };
  // Two attempts a series, a few milliseconds apart: the tests wait on Temporal's retries, not on
  // backoff (the server still takes about a second to schedule each retry).
  const retry = {
    ...input.config.retry,
    max_retries: 1,
    initial_interval_seconds: 0.01,
    max_interval_seconds: 0.05,
  };
  return {
    ...input,
    destination,
    config: { ...input.config, retry },
    options: { ...input.options, secondChanceDelayMs: 50 },
  };
}

/** A resource of the project's configuration, copied so that a test may change it. */
export function resourceOf(input: SyncInput, name: string): ResourceConfig {
  const resource = input.config.resources.find((r) => r.name === name);
  assert.ok(resource, name);
  return structuredClone(resource);
}

export interface Item {
  id: number;
  /** Start time (the window field), ISO seconds. */
  at: string;
  /** The cursor field's value (time of last change), when the test needs one. */
  changed?: string;
}

export interface Call {
  activity: keyof Activities;
  /** The activity's attempt within its series (1 for the first). */
  attempt: number;
  req: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a failure naming `what` if it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A paged list behind fetchPage (Clockodo's paging: count_pages, count_items) and a destination that
 * remembers which ids each read received. Tests steer it through the hooks.
 */
export class FakeSource {
  items: Item[] = [];
  perPage = 2;
  calls: Call[] = [];
  cursor: CursorState | null = null;
  cursorWrites: CursorState[] = [];
  deletions: MarkDeletionsRequest[] = [];
  runRows: RunRow[][] = [];
  /** fetchPage requests that were held and then saw their activity cancelled. */
  cancelledPages: PageRequest[] = [];
  /** An error for fetchPage to throw instead of answering (`attempt`: within the retry series). */
  failPage: (req: PageRequest, attempt: number) => Error | undefined = () => undefined;
  /** A reason to answer this request as the incomplete end of its read (e.g. an empty page). */
  incomplete: (req: PageRequest) => string | undefined = () => undefined;
  /** Holds these fetchPage requests, heartbeating, until their activity is cancelled. */
  hold: (req: PageRequest) => boolean = () => false;
  /** How long each page takes to answer (a slow source). */
  pageDelayMs = 0;
  /** Runs after a page is answered: a test's changes to the list between requests. */
  afterPage: (req: PageRequest) => void = () => {};
  /** What countItems answers (the re-check after all parts are read); default: the list as it is. */
  countNow: (target: ReadTarget) => number | null = (t) => this.itemsIn(t).length;
  deletionResult: (req: MarkDeletionsRequest) => DeletionResult = () => ({
    live: 0,
    candidates: 0,
    marked: 0,
    heldBack: 0,
  });
  private seen = new Map<string, Set<number>>();
  private stored = new Set<number>();
  private held: (() => void)[] = [];
  private cancelled: (() => void)[] = [];

  constructor(items: Item[] = [], perPage = 2) {
    this.items = items;
    this.perPage = perPage;
  }

  itemsIn(target: ReadTarget): Item[] {
    const w = target.window;
    return w ? this.items.filter((x) => x.at >= w.since && x.at <= w.until) : this.items;
  }

  /** Adds an item where its start time sorts it (the API lists entries by start time). */
  insert(item: Item): void {
    const i = this.items.findIndex((x) => x.at > item.at);
    this.items.splice(i < 0 ? this.items.length : i, 0, item);
  }

  /** Resolves once a fetchPage request is being held (see `hold`). */
  whenHeld(): Promise<void> {
    return new Promise((resolve) => this.held.push(resolve));
  }

  /**
   * Resolves once a held request saw its activity cancelled. An activity learns of it at a heartbeat,
   * after the workflow may already have ended (it does not wait for its activities to acknowledge).
   */
  whenCancelled(): Promise<void> {
    return new Promise((resolve) => this.cancelled.push(resolve));
  }

  /** The fetchPage calls, in the order they started. */
  pageCalls(): { req: PageRequest; attempt: number }[] {
    return this.calls
      .filter((c) => c.activity === 'fetchPage')
      .map((c) => ({ req: c.req as PageRequest, attempt: c.attempt }));
  }

  /** How many times each activity was called (attempts included). */
  callCount(activity: keyof Activities): number {
    return this.calls.filter((c) => c.activity === activity).length;
  }

  private record(activity: keyof Activities, req: unknown): void {
    this.calls.push({ activity, attempt: Context.current().info.attempt, req });
  }

  private async fetchPage(req: PageRequest): Promise<PageResult> {
    this.record('fetchPage', req);
    if (this.pageDelayMs) await sleep(this.pageDelayMs);
    const error = this.failPage(req, Context.current().info.attempt);
    if (error) throw error;
    if (this.hold(req)) await this.holdUntilCancelled(req);
    const all = this.itemsIn(req.target);
    const paged = req.resource.endpoint.paginator !== undefined;
    // Counted now: afterPage may change the list (`all` may be the list itself).
    const countItems = all.length;
    const countPages = Math.max(1, Math.ceil(countItems / this.perPage));
    const onPage = paged ? all.slice((req.page - 1) * this.perPage, req.page * this.perPage) : all;
    const written = takePage(this.seen, this.stored, req.readId, onPage);
    const reason = this.incomplete(req);
    this.afterPage(req);
    const changed = onPage.flatMap((x) => (x.changed ? [x.changed] : [])).sort();
    const attempt = Context.current().info.attempt;
    return {
      ...pageCounts(req.page, onPage.length, written, attempt - 1),
      ...(paged ? { countPages, countItems } : {}),
      last: reason !== undefined || !paged || req.page >= countPages,
      complete: reason === undefined,
      lastReason: reason ?? 'last page',
      fingerprint: `${onPage.length}:${String(onPage[0]?.id)}:${String(onPage[onPage.length - 1]?.id)}`,
      cursorMax: changed[changed.length - 1],
    };
  }

  /** Heartbeats until the server says the activity is cancelled; then fails as cancelled. */
  private async holdUntilCancelled(req: PageRequest): Promise<never> {
    const ctx = Context.current();
    for (const resolve of this.held.splice(0)) resolve();
    try {
      for (;;) {
        ctx.heartbeat();
        await Promise.race([ctx.cancelled, sleep(50)]);
      }
    } catch (err) {
      this.cancelledPages.push(req);
      for (const resolve of this.cancelled.splice(0)) resolve();
      throw err;
    }
  }

  /** The activities a worker registers, all in memory; each call is recorded in `calls`. */
  activities(): Activities {
    return {
      prepareDestination: (req) => {
        this.record('prepareDestination', req);
        return Promise.resolve(
          req.resources.map((r) => ({ table: r.name, created: true, addedColumns: [], rebuild: [] })),
        );
      },
      fetchPage: (req) => this.fetchPage(req),
      // The real page run's loop (activities/page-run.ts) over this list: each page is recorded as a
      // fetchPage call; the list's bookkeeping is its write.
      readPageRun: (req) => {
        this.record('readPageRun', req);
        return pageRunActivity(req, {
          prepare: async (page) => {
            const result = await this.fetchPage({ ...req, page });
            return { result: { ...result, retries: 0 }, rows: [], seen: [], quarantined: [], observedMs: 0 };
          },
          write: () => Promise.resolve(),
          seen: () => {
            const n = this.seen.get(req.readId)?.size ?? 0;
            return Promise.resolve({ ids: n, records: n });
          },
        });
      },
      countItems: (req) => {
        this.record('countItems', req);
        return Promise.resolve(this.countNow(req.target));
      },
      countSeenIds: (req) => {
        this.record('countSeenIds', req);
        return Promise.resolve(this.seen.get(req.readId)?.size ?? 0);
      },
      seenRecords: (req) => {
        this.record('seenRecords', req);
        const n = this.seen.get(req.readId)?.size ?? 0;
        return Promise.resolve({ ids: n, records: n });
      },
      quarantineKeyCollisions: (req) => {
        this.record('quarantineKeyCollisions', req);
        return Promise.resolve({ suspected: 0, confirmed: 0, quarantined: 0, examples: [] });
      },
      prepareResourceTable: (req) => {
        this.record('prepareResourceTable', req);
        return Promise.resolve(null);
      },
      markDeletions: (req) => {
        this.record('markDeletions', req);
        this.deletions.push(req);
        return Promise.resolve(this.deletionResult(req));
      },
      readCursor: (req) => {
        this.record('readCursor', req);
        return Promise.resolve(this.cursor);
      },
      recordCursor: (req) => {
        this.record('recordCursor', req);
        this.cursorWrites.push(req.state);
        this.cursor = req.state;
        return Promise.resolve();
      },
      recordRun: (req) => {
        this.record('recordRun', req);
        this.runRows.push(req.rows);
        return Promise.resolve();
      },
      recordWebhookEvents: (req) => {
        this.record('recordWebhookEvents', req);
        return Promise.resolve();
      },
    };
  }
}

/** `n` items with ids from `firstId`, starting at `since` and `stepMs` apart. */
export function items(n: number, since: string, stepMs: number, firstId = 1): Item[] {
  const start = Date.parse(since);
  return Array.from({ length: n }, (_, i) => ({
    id: firstId + i,
    at: new Date(start + i * stepMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
