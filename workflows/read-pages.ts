// Reads every page of one request (a resource, a partition or a window slice): page 1 tells how many
// pages there are, pages 2..N then run concurrently within a bound, and reading goes on one page at a
// time if the count grew meanwhile. Pauses (for continue-as-new) when the history grows large.
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { PageRequest, PageResult, ResourceTotals } from '../shared/types';
import { addPage, emptyTotals } from '../shared/types';

export type FetchPage = (req: PageRequest, summary: string) => Promise<PageResult>;

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

export interface PagesRead {
  totals: ResourceTotals;
  /** Set when reading stopped early so the workflow can continue as new: the next page to read. */
  pausedAt?: number;
}

async function pool<T>(items: number[], limit: number, run: (item: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]);
    }
  });
  await Promise.all(lanes);
  return results;
}

export async function readPages(
  fetchPage: FetchPage,
  req: Omit<PageRequest, 'page'>,
  label: string,
  startPage = 1,
  canPause = false,
): Promise<PagesRead> {
  const concurrency = req.resource.endpoint.paginator?.max_concurrency ?? 1;
  const fetch = (page: number) => fetchPage({ ...req, page }, `${label} page ${page}`);
  let totals = emptyTotals();
  let previous = await fetch(startPage);
  totals = addPage(totals, previous);
  let known = previous.countPages ?? startPage;
  let page = startPage + 1;
  while (!previous.last) {
    if (page > MAX_PAGES) {
      throw ApplicationFailure.nonRetryable(
        `${label}: still no last page after ${MAX_PAGES} pages`,
        'PagingRunaway',
      );
    }
    if (canPause && historyIsLarge()) return { totals, pausedAt: page };
    // Concurrently up to the known count; one at a time beyond it, until a page says it is the last.
    const end = known >= page ? Math.min(known, page + PAGES_PER_CHUNK - 1) : page;
    const pages = Array.from({ length: end - page + 1 }, (_, i) => page + i);
    const results = await pool(pages, concurrency, fetch);
    for (const r of results) {
      if (r.records > 0 && r.fingerprint === previous.fingerprint) {
        throw ApplicationFailure.nonRetryable(
          `${label}: page ${r.page} repeats page ${previous.page} (the server ignores the page parameter?)`,
          'PagingRepeats',
        );
      }
      totals = addPage(totals, r);
      previous = r;
    }
    known = Math.max(known, previous.countPages ?? 0);
    page = end + 1;
  }
  return { totals };
}
