// How many records a part of a paged list holds now: page 1 with a page size of 1, read for its
// `count_items`. Cheap enough to check every part once more after all parts were read.
import type { PageRequest } from '../domain/types';
import { pageUrl } from './fetch-page';
import { ApiAccess, getJson } from './http-client';
import { decidePageStop } from './paging';

export type CountItemsRequest = Pick<PageRequest, 'client' | 'retry' | 'resource' | 'target'>;

/** count_items of the part, or null when the response carries none. */
export async function countItems(deps: ApiAccess, req: CountItemsRequest): Promise<number | null> {
  const url = pageUrl({ ...req, page: 1 }, 1);
  const describe = `GET ${req.resource.endpoint.path}?${url.searchParams.toString()}`;
  const doc = await getJson(url.toString(), describe, {
    client: req.client,
    retry: req.retry,
    secrets: deps.secrets,
    policy: deps.credentialPolicy,
    agent: deps.apiAgent,
  });
  return decidePageStop(req.resource.endpoint.paginator, doc, 1, 0).countItems ?? null;
}
