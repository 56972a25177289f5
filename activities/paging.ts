// Reading one page of a response: the records under data_selector, and whether another page follows.
// The configured stop condition decides first; guards make sure a paginator never loops forever
// (empty page, no paging object, a count of 0, a page past the count).
import { evaluateStopCondition, parseStopCondition } from '../config/stop-condition';
import type { PaginatorConfig } from '../domain/source-config';
import { DEFAULT_COUNT_PAGES_PATH } from '../domain/source-config';

export function readPath(doc: unknown, dotted: string): unknown {
  let value = doc;
  for (const key of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The records of a response: the list at the first of the selectors the response has, or undefined
 * when none of them holds a list.
 */
export function readRecords(doc: unknown, selectors: string[]): unknown[] | undefined {
  for (const selector of selectors) {
    const value = readPath(doc, selector);
    if (Array.isArray(value)) return value as unknown[];
  }
  return undefined;
}

function asCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export interface PageStop {
  last: boolean;
  /** False when this page ends the read before its declared end: the read is incomplete. */
  complete: boolean;
  reason: string;
  countPages?: number;
  countItems?: number;
}

/** Decides whether `requestedPage` was the last page, given the response and its record count. */
export function decidePageStop(
  paginator: PaginatorConfig | undefined,
  response: unknown,
  requestedPage: number,
  recordCount: number,
): PageStop {
  if (!paginator) {
    // A list configured as unpaged that the server pages (Clockodo's paging object says so) was read
    // only in part: the read is incomplete, so nothing is marked deleted and the run says why.
    const pages = asCount(readPath(response, DEFAULT_COUNT_PAGES_PATH));
    if (pages !== undefined && pages > 1) {
      return {
        last: true,
        complete: false,
        reason: `the server pages this list (${DEFAULT_COUNT_PAGES_PATH} is ${pages}) but the configuration has no paginator: only the first page was read`,
      };
    }
    return { last: true, complete: true, reason: 'endpoint is not paged' };
  }
  const countPages = asCount(readPath(response, paginator.count_pages_path));
  // count_items sits beside count_pages in Clockodo's paging object; other shapes simply lack it.
  const itemsPath = paginator.count_pages_path.split('.').slice(0, -1).concat('count_items').join('.');
  const countItems = asCount(readPath(response, itemsPath));
  const facts = { countPages, countItems };
  const stop = (complete: boolean, reason: string): PageStop => ({ last: true, complete, reason, ...facts });
  if (evaluateStopCondition(parseStopCondition(paginator.stop_condition), response)) {
    return stop(true, `stop condition holds (${paginator.stop_condition})`);
  }
  if (countPages === undefined) {
    return stop(false, `page ${requestedPage} has no page count (${paginator.count_pages_path})`);
  }
  if (recordCount === 0) {
    const declaredEnd = requestedPage >= countPages || countItems === 0;
    return stop(declaredEnd, `page ${requestedPage} of ${countPages} is empty`);
  }
  if (countPages === 0) return stop(true, 'page count is 0');
  if (requestedPage >= countPages) return stop(true, `page ${requestedPage} of ${countPages}`);
  return { last: false, complete: true, reason: `page ${requestedPage} of ${countPages}`, ...facts };
}
