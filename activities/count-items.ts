// How many records a part of a paged list holds now: page 1 with a page size of 1, read for its
// item count (the paginator's total_items_path). Cheap enough to check every part once more after all
// parts were read.
import type { PageRequest } from '../domain/types';
import { paginatorOf, readTotals } from '../domain/paging';
import { getPage } from './fetch-page';
import type { ApiAccess } from './http-client';

export type CountItemsRequest = Pick<PageRequest, 'client' | 'retry' | 'resource' | 'target'>;

/** The part's item count, or null when the response carries none (or the list is not paged). */
export async function countItems(deps: ApiAccess, req: CountItemsRequest): Promise<number | null> {
  const paginator = paginatorOf(req.resource.endpoint.paginator);
  const { doc } = await getPage(deps, { ...req, page: 1 }, { limit: 1 });
  return (paginator && readTotals(paginator, doc).countItems) ?? null;
}
