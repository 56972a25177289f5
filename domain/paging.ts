// Paging, in dlt's vocabulary (its PageNumberPaginator): a page number sent as `page_param`, the page
// count read at `total_path`, the item count at `total_items_path`, and the seed's stop condition.
// Pure: the activities build requests and decide the last page with it, and workflow code reads the
// paginator through it, so the input of a run started by an older client (old keys) still works.
import { evaluateStopCondition, parseStopCondition } from './stop-condition';
import { readPath } from './response-paths';
import type { PaginatorConfig } from './source-config';
import type { ReadProgress } from './types';
import { emptyFacts } from './totals';

/** Where Clockodo's paged lists say how many pages and how many items there are. */
export const DEFAULT_TOTAL_PATH = 'paging.count_pages';
export const DEFAULT_TOTAL_ITEMS_PATH = 'paging.count_items';
/** Clockodo numbers its pages from 1. */
export const DEFAULT_BASE_PAGE = 1;

/** The paginator's keys before dlt's names, as older configurations and recorded inputs hold them. */
export interface LegacyPaginatorConfig {
  type: 'cursor' | 'page_number';
  cursor_param: string;
  limit: number;
  limit_param: string;
  stop_condition: string;
  count_pages_path: string;
  max_concurrency: number;
}

/** A paginator as a workflow input may hold it: written by this version or an older one. */
export type StoredPaginator = PaginatorConfig | LegacyPaginatorConfig;

/** Old key → dlt's key. */
export const DEPRECATED_PAGINATOR_KEYS = {
  cursor_param: 'page_param',
  count_pages_path: 'total_path',
} as const;

export interface PaginatorKeyChange {
  /** The key as written (`cursor_param`, `type`). */
  key: string;
  /** What to write instead, and why. */
  advice: string;
}

/**
 * A raw paginator with dlt's keys: the deprecated keys renamed and `type: "cursor"` read as
 * `page_number`. Returns what was changed (deprecations) and the old keys given beside their new
 * name (conflicts: which one is meant is unclear, so the validator refuses them).
 */
export function withCurrentKeys(raw: Readonly<Record<string, unknown>>): {
  paginator: Record<string, unknown>;
  deprecated: PaginatorKeyChange[];
  conflicts: string[];
} {
  const paginator: Record<string, unknown> = { ...raw };
  const deprecated: PaginatorKeyChange[] = [];
  const conflicts: string[] = [];
  for (const [old, current] of Object.entries(DEPRECATED_PAGINATOR_KEYS)) {
    if (!(old in raw)) continue;
    if (current in raw) {
      conflicts.push(old);
      continue;
    }
    paginator[current] = raw[old];
    delete paginator[old];
    deprecated.push({ key: old, advice: `use ${current}` });
  }
  if (raw.type === 'cursor') {
    paginator.type = 'page_number';
    deprecated.push({
      key: 'type',
      advice:
        'use "page_number" instead of "cursor" (in dlt\'s vocabulary a cursor paginator follows a token from the response; this one sends page numbers)',
    });
  }
  return { paginator, deprecated, conflicts };
}

/** The paginator in its current form, whichever version wrote it; undefined for an unpaged list. */
export function paginatorOf(stored: StoredPaginator | undefined): PaginatorConfig | undefined {
  if (stored === undefined) return undefined;
  const { paginator } = withCurrentKeys(stored as unknown as Record<string, unknown>);
  // Keys added since: an older input lacks them, and their defaults are what it meant.
  return {
    base_page: DEFAULT_BASE_PAGE,
    total_path: DEFAULT_TOTAL_PATH,
    total_items_path: DEFAULT_TOTAL_ITEMS_PATH,
    ...paginator,
  } as PaginatorConfig;
}

/** Pages read at once after page 1 (one for an unpaged list). */
export const pageConcurrency = (stored: StoredPaginator | undefined): number => stored?.max_concurrency ?? 1;

/**
 * The query parameters that ask for a page (numbered from 1, whatever base_page says); `limit`
 * overrides the page size (1 to read only the counts).
 */
export function pageRequestParams(
  stored: StoredPaginator,
  page: number,
  limit?: number,
): [name: string, value: string][] {
  const p = paginatorOf(stored)!;
  return [
    [p.page_param, String(page - 1 + p.base_page)],
    [p.limit_param, String(limit ?? p.limit)],
  ];
}

function asCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export interface PageTotals {
  countPages?: number;
  countItems?: number;
}

/** The totals a response declares, each at its own configured path. */
export function readTotals(p: PaginatorConfig, response: unknown): PageTotals {
  return {
    countPages: asCount(readPath(response, p.total_path)),
    countItems: asCount(readPath(response, p.total_items_path)),
  };
}

export interface PageStop extends PageTotals {
  last: boolean;
  /** False when this page ends the read before its declared end: the read is incomplete. */
  complete: boolean;
  reason: string;
}

/**
 * Whether `requestedPage` was the last page, given the response and its record count. The stop
 * condition decides first; guards make sure a read never loops forever (empty page, no page count, a
 * count of 0, a page past the count).
 */
export function decidePageStop(
  stored: StoredPaginator | undefined,
  response: unknown,
  requestedPage: number,
  recordCount: number,
): PageStop {
  const paginator = paginatorOf(stored);
  if (!paginator) {
    // A list configured as unpaged that the server pages (Clockodo's paging object says so) was read
    // only in part: the read is incomplete, so nothing is marked deleted and the run says why.
    const pages = asCount(readPath(response, DEFAULT_TOTAL_PATH));
    if (pages !== undefined && pages > 1) {
      return {
        last: true,
        complete: false,
        reason: `the server pages this list (${DEFAULT_TOTAL_PATH} is ${pages}) but the configuration has no paginator: only the first page was read`,
      };
    }
    return { last: true, complete: true, reason: 'endpoint is not paged' };
  }
  const facts = readTotals(paginator, response);
  const { countPages, countItems } = facts;
  const stop = (complete: boolean, reason: string): PageStop => ({ last: true, complete, reason, ...facts });
  if (evaluateStopCondition(parseStopCondition(paginator.stop_condition), response)) {
    return stop(true, `stop condition holds (${paginator.stop_condition})`);
  }
  if (countPages === undefined) {
    return stop(false, `page ${requestedPage} has no page count (${paginator.total_path})`);
  }
  if (recordCount === 0) {
    const declaredEnd = requestedPage >= countPages || countItems === 0;
    return stop(declaredEnd, `page ${requestedPage} of ${countPages} is empty`);
  }
  if (countPages === 0) return stop(true, 'page count is 0');
  if (requestedPage >= countPages) return stop(true, `page ${requestedPage} of ${countPages}`);
  return { last: false, complete: true, reason: `page ${requestedPage} of ${countPages}`, ...facts };
}

/**
 * The pages to request next, from `page` on: page 1 alone (it tells the count), then up to `chunk`
 * pages within the largest count declared so far (`known`), and one at a time beyond it (the count may
 * have grown while reading).
 */
export function nextPages(page: number, known: number, chunk: number): number[] {
  const end = page === 1 ? 1 : known >= page ? Math.min(known, page + chunk - 1) : page;
  return Array.from({ length: end - page + 1 }, (_, i) => page + i);
}

/** The largest page count declared so far, after a page said `countPages`. */
export const knownPages = (known: number, countPages: number | undefined): number =>
  Math.max(known, countPages ?? 0);

/** A read before its first page. */
export const startOfRead = (): ReadProgress => ({ nextPage: 1, known: 1, facts: emptyFacts() });
