// One resource, end to end: plan its parts (the list, its partitions, or windows of start times),
// read them as child workflows in parallel, then mark what vanished inside the parts that were read
// consistently, and record the cursor once the whole window was read. Its workflow id is the lock:
// one sync of a resource into one destination at a time.
import {
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  DeletionScope,
  PartOutcome,
  ReadTarget,
  ResourceProgress,
  ResourceResult,
  ResourceSyncInput,
  TimeWindow,
} from '../shared/types';
import { emptyTotals, sumTotals } from '../shared/totals';
import { RESOURCES_KEY } from '../shared/search-attributes';
import {
  fullWindow,
  incrementalWindow,
  isoSeconds,
  laterIso,
  planSlices,
  parseUtc,
  WindowRules,
} from '../shared/windows';
import { partWorkflowId } from '../shared/workflow-ids';
import { destinationActivityOptions } from './activity-options';
import { readPartWorkflow, targetLabel } from './read-part';

export const resourceProgressQuery = defineQuery<ResourceProgress>('progress');

/** Windows read at once by default (each a child workflow with its own pages in flight). */
const DEFAULT_PARALLEL_WINDOWS = 4;

async function pool<T, R>(items: T[], limit: number, run: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i], i);
    }
  });
  await Promise.all(lanes);
  return results;
}

export async function syncResourceWorkflow(input: ResourceSyncInput): Promise<ResourceResult> {
  const { resource, mode, options, destination } = input;
  const endpoint = resource.endpoint;
  const acts = proxyActivities<Activities>(destinationActivityOptions);
  const nowMs = Date.now(); // workflow time: the same on replay
  let totals = emptyTotals();
  let partsDone = 0;
  let targets: ReadTarget[] = [{}];
  setHandler(resourceProgressQuery, () => ({
    runId: input.runId,
    ...totals,
    partsDone,
    parts: targets.length,
  }));
  upsertSearchAttributes([{ key: RESOURCES_KEY, value: [resource.name] }]);

  const result: ResourceResult = { ...emptyTotals(), rereads: [], degraded: [], notes: [] };
  let window: TimeWindow | undefined;
  let previousCursor: string | undefined;
  const inc = endpoint.incremental_sync;
  if (inc) {
    const rules: WindowRules = {
      startDatetime: inc.start_datetime,
      endDatetime: inc.end_datetime,
      lookbackDays: options.lookbackDays,
      horizonDays: options.horizonDays,
      cursorMarginMs: options.cursorMarginMs,
    };
    if (mode === 'incremental') {
      previousCursor = (await acts.readCursor({ destination, resource: resource.name }))?.cursor;
      window = incrementalWindow(rules, nowMs, previousCursor);
      if (previousCursor === undefined)
        result.notes.push('no cursor yet: the first incremental run reads the whole history');
    } else {
      window = fullWindow(rules, nowMs);
    }
    targets = planSlices(parseUtc(window.since), parseUtc(window.until), inc.slice_days).map((w) => ({
      window: w,
    }));
    result.window = window;
  } else if (endpoint.partition_router) {
    targets = endpoint.partition_router.values.map((partition) => ({ partition }));
  }

  const resourceId = workflowInfo().workflowId;
  const parallel = inc ? (inc.parallel_windows ?? DEFAULT_PARALLEL_WINDOWS) : targets.length;
  // A part that fails (a page out of retries) fails the resource: nothing is marked deleted then.
  const parts = await pool(targets, parallel, async (target) => {
    const label = targetLabel(resource.name, target);
    const part = await executeChild(readPartWorkflow, {
      workflowId: partWorkflowId(resourceId, label.slice(resource.name.length + 1) || 'all'),
      args: [
        {
          destination,
          client: input.client,
          retry: input.retry,
          resource,
          runId: input.runId,
          target,
        },
      ],
      staticSummary: `Read ${label}`,
    });
    totals = sumTotals(totals, part.totals);
    partsDone++;
    return part;
  });
  const outcomes: PartOutcome[] = parts.flatMap((p) => p.outcomes);
  result.rereads = parts.flatMap((p) => p.rereads);
  const consistent = outcomes.filter((o) => o.consistent);
  result.degraded = outcomes
    .filter((o) => !o.consistent)
    .map((o) => `${o.label}: ${o.reason ?? 'not read consistently'}; nothing marked deleted there`);

  const scope = deletionScope(input, consistent, result.degraded.length === 0);
  if (scope) {
    const deletion = await acts.markDeletions({
      destination,
      resource,
      runId: input.runId,
      scope,
      readIds: consistent.map((o) => o.readId),
      recordsRead: consistent.reduce((n, o) => n + o.records, 0),
      maxDeleteShare: options.maxDeleteShare,
      allowMassDelete: options.allowMassDelete,
    });
    totals = { ...totals, deleted: deletion.marked, heldBack: deletion.heldBack };
    if (deletion.heldBackReason) result.notes.push(deletion.heldBackReason);
  }

  // The cursor moves only after a complete, consistent read with every deletion written: otherwise
  // the next incremental run must read from where the last complete one left off.
  if (inc && window) {
    if (result.degraded.length === 0 && totals.heldBack === 0) {
      const newest = consistent.reduce<string | undefined>(
        (c, o) => laterIso(c, o.cursorMax),
        previousCursor,
      );
      const cursor = newest ?? isoSeconds(nowMs);
      await acts.recordCursor({
        destination,
        state: { resource: resource.name, cursor, window, runId: input.runId, mode },
      });
      result.cursor = cursor;
    } else {
      result.cursor = previousCursor;
      result.notes.push('cursor left where it was: the read was not complete');
    }
  }
  return { ...result, ...totals };
}

/** Where this run may mark deletions: only inside parts it read consistently. */
function deletionScope(
  input: ResourceSyncInput,
  consistent: PartOutcome[],
  allConsistent: boolean,
): DeletionScope | undefined {
  if (consistent.length === 0) return undefined;
  const endpoint = input.resource.endpoint;
  if (input.mode === 'full_refresh' && allConsistent) return { kind: 'all' };
  if (endpoint.incremental_sync) {
    return {
      kind: 'windows',
      column: endpoint.incremental_sync.window_field,
      windows: consistent.map((o) => o.target.window).filter((w): w is TimeWindow => w !== undefined),
    };
  }
  if (endpoint.partition_router) {
    return { kind: 'partitions', values: consistent.map((o) => o.target.partition ?? '') };
  }
  return { kind: 'all' };
}
