// Reading one page of a response: the records under data_selector, and whether another page follows.
// The configured stop condition decides first; guards make sure a paginator never loops forever
// (empty page, no paging object, a count of 0, a page past the count).
import { evaluateStopCondition, parseStopCondition } from '../config/stop-condition';
import type { PaginatorConfig } from '../config/source-config-types';

export function readPath(doc: unknown, dotted: string): unknown {
  let value = doc;
  for (const key of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function asCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export interface PageStop {
  last: boolean;
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
  if (!paginator) return { last: true, reason: 'endpoint is not paged' };
  const countPages = asCount(readPath(response, paginator.count_pages_path));
  // count_items sits beside count_pages in Clockodo's paging object; other shapes simply lack it.
  const itemsPath = paginator.count_pages_path.split('.').slice(0, -1).concat('count_items').join('.');
  const countItems = asCount(readPath(response, itemsPath));
  const facts = { countPages, countItems };
  if (evaluateStopCondition(parseStopCondition(paginator.stop_condition), response)) {
    return { last: true, reason: `stop condition holds (${paginator.stop_condition})`, ...facts };
  }
  if (recordCount === 0) return { last: true, reason: 'page is empty', ...facts };
  if (countPages === undefined) return { last: true, reason: 'response has no page count', ...facts };
  if (countPages === 0) return { last: true, reason: 'page count is 0', ...facts };
  if (requestedPage >= countPages)
    return { last: true, reason: `page ${requestedPage} of ${countPages}`, ...facts };
  return { last: false, reason: `page ${requestedPage} of ${countPages}`, ...facts };
}
