// Paging as the API does it: `page` is 1-based, `items_per_page` is capped by the server.
import { positiveInt, Query } from './params';

export interface Paging {
  items_per_page: number;
  current_page: number;
  count_pages: number;
  count_items: number;
}

export interface PagingLimits {
  maxItemsPerPage: number;
  defaultItemsPerPage: number;
}

export function readPaging(query: Query, limits: PagingLimits): { page: number; itemsPerPage: number } {
  const page = positiveInt(query, 'page') ?? 1;
  const requested = positiveInt(query, 'items_per_page') ?? limits.defaultItemsPerPage;
  return { page, itemsPerPage: Math.min(requested, limits.maxItemsPerPage) };
}

/**
 * Slices one page. count_pages is ceil(count_items / items_per_page) but at least 1: an empty list is
 * still one (empty) page 1. The real API is not documented on this; 1 is the safe answer because the
 * seed's client stops on `count_pages == current_page`, which a count_pages of 0 would never satisfy.
 * A page past the end answers an empty list with current_page = the page asked for.
 */
export function paginate<T>(items: T[], page: number, itemsPerPage: number): { paging: Paging; items: T[] } {
  const start = (page - 1) * itemsPerPage;
  return {
    paging: {
      items_per_page: itemsPerPage,
      current_page: page,
      count_pages: Math.max(1, Math.ceil(items.length / itemsPerPage)),
      count_items: items.length,
    },
    items: start < items.length ? items.slice(start, start + itemsPerPage) : [],
  };
}
