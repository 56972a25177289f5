// One resource, end to end: read all its pages, partitions or window slices through activities,
// then mark what vanished from the source. Long reads continue as new, carrying only small state.
import {
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  DeletionScope,
  PageRequest,
  PageResult,
  ResourceProgress,
  ResourceSyncInput,
  ResourceTotals,
} from '../shared/types';
import { addPage, emptyTotals, sumTotals } from '../shared/types';
import { RESOURCES_KEY } from '../shared/search-attributes';
import { destinationActivityOptions, pageActivityOptions } from './activity-options';
import { historyIsLarge, readPages } from './read-pages';
import { isoSeconds, planSlices, windowBounds } from './windows';

export const resourceProgressQuery = defineQuery<ResourceProgress>('progress');

export async function syncResourceWorkflow(input: ResourceSyncInput): Promise<ResourceTotals> {
  const { resource, mode } = input;
  const endpoint = resource.endpoint;
  const pageOptions = pageActivityOptions(input.retry);
  const pageActs = proxyActivities<Activities>(pageOptions);
  const destActs = proxyActivities<Activities>(destinationActivityOptions);
  let totals = input.resume?.totals ?? emptyTotals();
  // Pages of the reads still going on, so the progress query moves page by page.
  let inFlight = emptyTotals();
  setHandler(resourceProgressQuery, () => ({ runId: input.runId, ...sumTotals(totals, inFlight) }));
  upsertSearchAttributes([{ key: RESOURCES_KEY, value: [resource.name] }]);

  const base: Omit<PageRequest, 'page'> = {
    client: input.client,
    retry: input.retry,
    resource,
    runId: input.runId,
    runVersion: input.runVersion,
  };
  const fetchPage = async (req: PageRequest, summary: string): Promise<PageResult> => {
    const page = await pageActs.fetchPage.executeWithOptions({ ...pageOptions, summary }, [req]);
    inFlight = addPage(inFlight, page);
    return page;
  };
  const settle = (read: ResourceTotals) => {
    totals = sumTotals(totals, read);
    inFlight = emptyTotals();
  };
  const mark = async (scope: DeletionScope) => {
    const deleted = await destActs.markDeletions({
      resource,
      runId: input.runId,
      runVersion: input.runVersion,
      scope,
    });
    totals = { ...totals, deleted: totals.deleted + deleted };
  };

  if (endpoint.incremental_sync) {
    const inc = endpoint.incremental_sync;
    const [since, until] = windowBounds(inc.start_datetime, inc.end_datetime, input.runVersion);
    const slices = input.resume?.slices ?? planSlices(since, until, inc.slice_days);
    let nextPage = input.resume?.nextPage ?? 1;
    while (slices.length > 0) {
      const window = slices[0];
      const label = `${resource.name} ${window.since}..${window.until}`;
      const read = await readPages(fetchPage, { ...base, window }, label, nextPage, true);
      settle(read.totals);
      if (read.pausedAt !== undefined) {
        return continueAsNew<typeof syncResourceWorkflow>({
          ...input,
          resume: { slices, nextPage: read.pausedAt, totals },
        });
      }
      slices.shift();
      nextPage = 1;
      if (slices.length > 0 && historyIsLarge()) {
        return continueAsNew<typeof syncResourceWorkflow>({ ...input, resume: { slices, nextPage, totals } });
      }
    }
    // Only once the whole window is read: an entry whose start time moved from an early slice to a
    // later one is then seen again, where a per-slice sweep would have marked it deleted.
    const window = { since: isoSeconds(since), until: isoSeconds(until) };
    await mark(
      mode === 'full_refresh' ? { kind: 'all' } : { kind: 'window', column: inc.window_field, window },
    );
    return totals;
  }

  if (endpoint.partition_router) {
    const values = endpoint.partition_router.values;
    // Partitions are few (years): read them all at once, each with its own page sequence.
    const reads = await Promise.all(
      values.map((partition) =>
        readPages(fetchPage, { ...base, partition }, `${resource.name} ${partition}`),
      ),
    );
    settle(reads.reduce((sum, r) => sumTotals(sum, r.totals), emptyTotals()));
    await mark(mode === 'full_refresh' ? { kind: 'all' } : { kind: 'partitions', values });
    return totals;
  }

  const read = await readPages(fetchPage, base, resource.name);
  settle(read.totals);
  await mark({ kind: 'all' });
  return totals;
}
