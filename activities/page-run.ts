// A page run: one activity reads the pages of one read attempt in order, from where the read stands,
// with up to `concurrency` requests in flight, until its last page or its budget. Rows wait in a
// buffer and are written in inserts of WORKER_INSERT_RECORDS records or more (ClickHouse makes one part per
// insert, and parts are its cost), each before the heartbeat that records its pages as written.
//
// Durable per page as one activity per page was: a retry (a crash, a lost worker, a failed request)
// resumes from the last heartbeat, so it reads again at most the pages since then, which are
// harmless to write twice. A run that fails says in its failure's details where the read stands,
// so that the workflow goes on from there (a second chance) rather than from the run's start.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { clickHouseFailure } from '../clickhouse/errors';
import { seenRecords } from '../clickhouse/sync-state';
import { knownPages } from '../domain/paging';
import { resumedFrom, ResumeAt } from '../domain/page-runs';
import { addPageFacts } from '../domain/totals';
import type {
  PageRunBudget,
  PageRunHeartbeat,
  PageRunRequest,
  PageRunResult,
  ReadProgress,
  SeenRecords,
} from '../domain/types';
import { FetchPageDeps, PreparedPage, preparePage, writePreparedPages } from './fetch-page';
import { recordProgress } from './heartbeat';
import { count } from './telemetry';

/** Records buffered before an insert, unless the worker says otherwise: ClickHouse's advice. */
export const DEFAULT_INSERT_RECORDS = 10_000;
/** A server that keeps answering non-empty pages past this is broken; stop rather than loop. */
export const MAX_PAGES = 100_000;

/** What a page run needs from the world: pages, the destination, heartbeats and a clock. */
export interface PageRunIo {
  prepare(page: number): Promise<PreparedPage>;
  write(pages: PreparedPage[]): Promise<void>;
  progress(details: PageRunHeartbeat): void;
  seen(): Promise<SeenRecords>;
  now(): number;
}

export interface PageRunPlan {
  from: ReadProgress;
  concurrency: number;
  budget: PageRunBudget;
  /** The activity's attempt (1 for the first): its retries are counted on its first page. */
  attempt?: number;
  /** The page an earlier attempt failed at, and since which attempt (from its heartbeat). */
  failing?: PageRunHeartbeat['failing'];
  /** Records buffered before an insert (WORKER_INSERT_RECORDS, config/worker-settings.ts). */
  insertRecords: number;
  /** An earlier attempt wrote the read's last page (its heartbeat says so): nothing is left to read. */
  done?: boolean;
}

export async function runPages(io: PageRunIo, plan: PageRunPlan): Promise<PageRunResult> {
  const { concurrency, budget } = plan;
  if (plan.done) {
    // Killed after its last insert: reading on would ask for a page past the last.
    const seen = plan.from.facts.complete ? await io.seen() : undefined;
    return { progress: plan.from, done: true, pages: 0, ...(seen ? { seen } : {}) };
  }
  const startedMs = io.now();
  /** The read as far as it is written, and as far as it is read (buffered pages included). */
  let written = plan.from;
  let read = plan.from;
  let buffer: PreparedPage[] = [];
  let buffered = 0;
  let pages = 0;
  let records = 0;
  const attempt = plan.attempt ?? 1;
  let retries = attempt - 1;
  let done = false;
  let stopRequesting = false;
  const inFlight = new Map<number, Promise<PreparedPage>>();
  let requested = read.nextPage - 1;

  // Records a page holds, as far as the read knows (0 before its first page).
  const perPage = () =>
    read.facts.pages > 0 ? Math.max(1, Math.ceil(read.facts.records / read.facts.pages)) : 0;
  // Pages in flight that the budget can still take: a run ends near its budget, not `concurrency` past it.
  const withinBudget = () => records + (inFlight.size + 1) * perPage() <= budget.records;
  // Page 1 alone (it tells the count); then up to `concurrency` pages within the known count, and
  // beyond it only the next page (the count may have grown while reading).
  const mayRequest = (page: number) =>
    !stopRequesting &&
    (page === read.nextPage || (read.nextPage > 1 && page <= read.known && withinBudget()));
  const request = () => {
    while (inFlight.size < Math.max(1, concurrency) && mayRequest(requested + 1)) {
      const page = ++requested;
      const pending = io.prepare(page);
      pending.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
      inFlight.set(page, pending);
    }
  };
  const settleInFlight = async () => {
    stopRequesting = true;
    await Promise.allSettled(inFlight.values());
    inFlight.clear();
  };
  const write = async () => {
    if (buffer.length === 0) return;
    await io.write(buffer);
    written = read;
    buffer = [];
    buffered = 0;
  };

  try {
    request();
    while (inFlight.size > 0) {
      const page = read.nextPage;
      if (page > MAX_PAGES) {
        throw ApplicationFailure.nonRetryable(`still no last page after ${MAX_PAGES} pages`, 'PagingRunaway');
      }
      const prepared = await (inFlight.get(page) as Promise<PreparedPage>);
      inFlight.delete(page);
      const r = { ...prepared.result, retries: prepared.result.retries + retries };
      retries = 0;
      if (r.records > 0 && r.fingerprint === read.previousFingerprint) {
        throw ApplicationFailure.nonRetryable(
          `page ${page} repeats page ${read.previousPage} (the server ignores the page parameter?)`,
          'PagingRepeats',
        );
      }
      let facts = addPageFacts(read.facts, r);
      if (r.last && !r.complete) facts = { ...facts, complete: false, incompleteReason: r.lastReason };
      read = {
        nextPage: page + 1,
        known: knownPages(read.known, r.countPages),
        facts,
        previousFingerprint: r.fingerprint,
        previousPage: page,
      };
      buffer.push(prepared);
      buffered += r.records;
      pages++;
      records += r.records;
      done = r.last;
      if (done || buffered >= plan.insertRecords) await write();
      io.progress({ written, readThrough: page, ...(done ? { done } : {}) });
      if (done) break;
      if (records >= budget.records || io.now() - startedMs >= budget.seconds * 1000) stopRequesting = true;
      request();
    }
    await settleInFlight(); // pages requested past the last: read, never written
    await write();
  } catch (e) {
    await settleInFlight();
    // What was read before the failure is kept, so the retry starts at the page that failed.
    if (!(e instanceof ApplicationFailure && e.nonRetryable)) await write().catch(() => undefined);
    const page = written.nextPage;
    const failing = plan.failing;
    const sinceAttempt = failing && failing.page === page ? failing.sinceAttempt : attempt;
    io.progress({ written, readThrough: page - 1, failing: { page, sinceAttempt } });
    throw resumable(e, { resumeAt: written, attemptsAtPage: attempt - sinceAttempt + 1 });
  }
  const seen = done && written.facts.complete ? await io.seen() : undefined;
  return { progress: written, done, pages, ...(seen ? { seen } : {}) };
}

/** The failure as the activity reports it, with where the read stands in its details. */
function resumable(e: unknown, resume: ResumeAt): unknown {
  if (e instanceof CancelledFailure) return e;
  const failure = clickHouseFailure(e);
  if (failure instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: failure.message,
      type: failure.type ?? undefined,
      nonRetryable: failure.nonRetryable ?? undefined,
      nextRetryDelay: failure.nextRetryDelay ?? undefined,
      details: [resume, ...(failure.details ?? [])],
      cause: failure.cause,
    });
  }
  const err = failure instanceof Error ? failure : new Error(String(failure));
  return ApplicationFailure.create({ message: err.message, type: err.name, details: [resume], cause: err });
}

/**
 * A page run as an activity: from where the previous attempt's heartbeat says the read stands, or from
 * the request's start; cancelled when the run is. `io` reads and writes the pages.
 */
export async function pageRunActivity(
  req: PageRunRequest,
  io: Pick<PageRunIo, 'prepare' | 'write' | 'seen'>,
  insertRecords = DEFAULT_INSERT_RECORDS,
): Promise<PageRunResult> {
  const ctx = Context.current();
  const { attempt } = ctx.info;
  count('clockodo_page_retries', req.resource.name, attempt - 1);
  const resumed = resumedFrom(ctx.info.heartbeatDetails);
  const run = runPages(
    { ...io, progress: recordProgress, now: Date.now },
    {
      from: resumed?.written ?? req.from,
      failing: resumed?.failing,
      concurrency: req.concurrency,
      budget: req.budget,
      attempt,
      insertRecords,
      done: resumed?.done,
    },
  );
  // A cancelled run reports its cancellation (what it read meanwhile is written), not a failure.
  return run.catch((e: unknown) => {
    const reason = ctx.cancellationSignal.reason as unknown;
    if (!ctx.cancellationSignal.aborted) throw e;
    throw reason instanceof CancelledFailure ? reason : new CancelledFailure('the run was cancelled');
  });
}

export function readPageRun(
  deps: FetchPageDeps & { insertRecords?: number },
  req: PageRunRequest,
): Promise<PageRunResult> {
  return pageRunActivity(
    req,
    {
      prepare: (page) => preparePage(deps, { ...req, page }),
      write: (pages) => writePreparedPages(deps, req, pages),
      seen: () => seenRecords(deps.ch, deps.database, req.readId),
    },
    deps.insertRecords,
  );
}
