// Reads every page of one read attempt (a list, a partition or a window): page 1 tells how many pages
// there are, pages 2..N then run concurrently within a bound, and reading goes on one page at a time
// if the count grew meanwhile. Pauses (for continue-as-new) when the history grows large; the
// progress it returns is all a later run needs to go on.
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { PageResult, ReadFacts } from '../shared/types';
import { addPageFacts, emptyFacts } from '../shared/totals';
import { pool } from './pool';

export type FetchPage = (page: number) => Promise<PageResult>;

/** Events after which a run continues as new even if the server has not suggested it yet. */
export const HISTORY_EVENTS_LIMIT = 8000;
/** Pages scheduled between two checks of the history size. */
const PAGES_PER_CHUNK = 50;
/** A server that keeps answering non-empty pages past this is broken; stop rather than loop. */
const MAX_PAGES = 100_000;

export function historyIsLarge(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_LIMIT;
}

/** Where a read stands: enough to resume it in a new run. */
export interface ReadProgress {
  nextPage: number;
  /** Largest page count any page declared so far. */
  known: number;
  facts: ReadFacts;
  previousFingerprint?: string;
  previousPage?: number;
}

export const startOfRead = (): ReadProgress => ({ nextPage: 1, known: 1, facts: emptyFacts() });

export type PagesRead = { done: true; facts: ReadFacts } | { done: false; progress: ReadProgress };

export async function readPages(
  fetch: FetchPage,
  label: string,
  concurrency: number,
  from: ReadProgress,
  canPause: boolean,
): Promise<PagesRead> {
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
    const end = page === 1 ? 1 : known >= page ? Math.min(known, page + PAGES_PER_CHUNK - 1) : page;
    const pages = Array.from({ length: end - page + 1 }, (_, i) => page + i);
    // New pages stop being scheduled once the history is large; those in flight finish first.
    const results = await pool(pages, page === 1 ? 1 : concurrency, fetch, pause);
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
      known = Math.max(known, r.countPages ?? 0);
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
