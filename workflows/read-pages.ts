// Reads every page of one read attempt (a list, a partition or a window): page 1 tells how many pages
// there are, pages 2..N then run concurrently within a bound, and reading goes on one page at a time
// if the count grew meanwhile. Pauses (for continue-as-new) when the history grows large; the
// progress it returns is all a later run needs to go on.
//
// A page whose series of attempts ran out (the retry policy's) gets a second chance: after a longer
// pause, while the other pages go on, a new series. Only if that fails too does the read fail, naming
// every page that failed with its last error. Errors that cannot heal (fail-fast statuses, a bad
// response shape, a missing secret) and cancellation get no second chance.
import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { PageResult, PageRunResult, ReadFacts, ReadProgress, SeenRecords } from '../domain/types';
import { resumePointOf } from '../domain/page-runs';
import { addPageFacts } from '../domain/totals';
import { knownPages, nextPages } from '../domain/paging';
import { pool } from './pool';

export type FetchPage = (page: number) => Promise<PageResult>;

/** Events after which a run continues as new even if the server has not suggested it yet. */
export const HISTORY_EVENTS_LIMIT = 8000;
/** Pages scheduled between two checks of the history size. */
const PAGES_PER_CHUNK = 50;
/** A server that keeps answering non-empty pages past this is broken; stop rather than loop. */
const MAX_PAGES = 100_000;

export const DEFAULT_SECOND_CHANCE_DELAY_MS = 30_000;

export interface SecondChance {
  delayMs: number;
}

/** Whether a failed page may heal on a later try: not a non-retryable failure, not a cancellation. */
function deservesSecondChance(e: unknown): boolean {
  if (isCancellation(e) || !(e instanceof ActivityFailure)) return false;
  return !(e.cause instanceof ApplicationFailure && e.cause.nonRetryable);
}

/** The error a page's last attempt ended with, as the activity reported it. */
function lastError(e: unknown): string {
  const cause = e instanceof ActivityFailure ? (e.cause ?? e) : e;
  return (cause as Error).message;
}

type PageOutcome = { ok: true; result: PageResult } | { ok: false; page: number; error: string };

function withSecondChance(fetch: FetchPage, chance: SecondChance): (page: number) => Promise<PageOutcome> {
  return async (page) => {
    try {
      return { ok: true, result: await fetch(page) };
    } catch (e) {
      if (!deservesSecondChance(e)) throw e;
      await sleep(chance.delayMs);
      try {
        return { ok: true, result: await fetch(page) };
      } catch (again) {
        if (!deservesSecondChance(again)) throw again;
        return { ok: false, page, error: lastError(again) };
      }
    }
  };
}

export function historyIsLarge(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_LIMIT;
}

export type PagesRead = { done: true; facts: ReadFacts } | { done: false; progress: ReadProgress };

export async function readPages(
  fetch: FetchPage,
  label: string,
  concurrency: number,
  from: ReadProgress,
  canPause: boolean,
  chance: SecondChance = { delayMs: DEFAULT_SECOND_CHANCE_DELAY_MS },
): Promise<PagesRead> {
  const fetchTwice = withSecondChance(fetch, chance);
  let { nextPage: page, known, facts, previousFingerprint, previousPage } = from;
  for (;;) {
    if (page > MAX_PAGES) {
      throw ApplicationFailure.nonRetryable(
        `${label}: still no last page after ${MAX_PAGES} pages`,
        'PagingRunaway',
      );
    }
    const pause = () => canPause && historyIsLarge();
    if (page > 1 && pause()) {
      return { done: false, progress: { nextPage: page, known, facts, previousFingerprint, previousPage } };
    }
    // Page 1 alone (it tells the count); then concurrently up to the known count; one at a time beyond it.
    const pages = nextPages(page, known, PAGES_PER_CHUNK);
    // New pages stop being scheduled once the history is large; those in flight finish first.
    const outcomes = await pool(pages, page === 1 ? 1 : concurrency, fetchTwice, pause);
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `${label}: ${failed.length} page${failed.length === 1 ? '' : 's'} failed after their retries and a second chance: ` +
          failed.map((f) => `page ${f.page}: ${f.error}`).join('; '),
        'PagesFailed',
      );
    }
    const results = outcomes.map((o) => (o as { ok: true; result: PageResult }).result);
    let stop: PageResult | undefined;
    for (const r of results) {
      if (r.records > 0 && r.fingerprint === previousFingerprint) {
        throw ApplicationFailure.nonRetryable(
          `${label}: page ${r.page} repeats page ${previousPage} (the server ignores the page parameter?)`,
          'PagingRepeats',
        );
      }
      facts = addPageFacts(facts, r);
      previousFingerprint = r.fingerprint;
      previousPage = r.page;
      known = knownPages(known, r.countPages);
      stop ??= r.last ? r : undefined;
    }
    if (stop) {
      return stop.complete
        ? { done: true, facts }
        : { done: true, facts: { ...facts, complete: false, incompleteReason: stop.lastReason } };
    }
    page += results.length;
  }
}

/** One page run from where the read stands (activities/page-run.ts). */
export type RunPages = (from: ReadProgress) => Promise<PageRunResult>;

/** A finished read, with the distinct records its last run counted (when it was complete). */
export type RunsRead =
  { done: true; facts: ReadFacts; seen?: SeenRecords } | { done: false; progress: ReadProgress };

/** The run's own failures that name a paging problem: the read fails with them, under its label. */
const PAGING_FAILURES = new Set(['PagingRepeats', 'PagingRunaway']);

/**
 * Reads a read attempt's pages in page runs, one after another, each from where the last left off.
 * A run whose retries ran out says where it stopped and how many attempts failed there: a page that
 * had fewer than a whole series (the earlier attempts failed at earlier pages) gets a new series at
 * once; a page that had a whole series gets its second chance (a pause, then a new series), and only
 * if that fails too does the read fail, naming the page: as when each page was an activity.
 */
export async function readPageRuns(
  run: RunPages,
  label: string,
  from: ReadProgress,
  canPause: boolean,
  /** Attempts in a run's series (the retry policy's maximum). */
  seriesAttempts: number,
  chance: SecondChance = { delayMs: DEFAULT_SECOND_CHANCE_DELAY_MS },
): Promise<RunsRead> {
  let progress = from;
  let secondChanceFor: number | undefined;
  for (;;) {
    if (progress.nextPage > 1 && canPause && historyIsLarge()) return { done: false, progress };
    let result: PageRunResult;
    try {
      result = await run(progress);
    } catch (e) {
      const cause = e instanceof ActivityFailure ? e.cause : undefined;
      if (
        cause instanceof ApplicationFailure &&
        cause.nonRetryable &&
        PAGING_FAILURES.has(cause.type ?? '')
      ) {
        throw ApplicationFailure.nonRetryable(`${label}: ${cause.message}`, cause.type);
      }
      if (!deservesSecondChance(e)) throw e;
      const stopped = cause instanceof ApplicationFailure ? resumePointOf(cause.details) : undefined;
      const at = stopped?.resumeAt ?? progress;
      // The series went to earlier pages too: the page it stopped at gets a whole series of its own.
      if (stopped && stopped.attemptsAtPage < seriesAttempts && at.nextPage > progress.nextPage) {
        progress = at;
        continue;
      }
      if (secondChanceFor === at.nextPage) {
        throw ApplicationFailure.nonRetryable(
          `${label}: 1 page failed after their retries and a second chance: page ${at.nextPage}: ${lastError(e)}`,
          'PagesFailed',
        );
      }
      await sleep(chance.delayMs);
      secondChanceFor = at.nextPage;
      progress = at;
      continue;
    }
    progress = result.progress;
    if (result.done)
      return { done: true, facts: progress.facts, ...(result.seen ? { seen: result.seen } : {}) };
  }
}
