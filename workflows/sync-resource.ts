// One resource, end to end: plan its parts (the list, its partitions, or windows of start times),
// read them as child workflows in parallel, then mark what vanished inside the parts that were read
// consistently, and record the cursor once the whole window was read. Its workflow id is the lock:
// one sync of a resource into one destination at a time.
import {
  defineQuery,
  executeChild,
  patched,
  proxyActivities,
  rootCause,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  CursorState,
  DeletionScope,
  KeyCollisionsResult,
  PartResult,
  PartOutcome,
  ReadContext,
  ReadTarget,
  ResourceProgress,
  ResourceResult,
  ResourceSyncInput,
  TimeWindow,
} from '../domain/types';
import { emptyTotals, mergeSamples, sumTotals } from '../domain/totals';
import { RESOURCES_KEY } from '../domain/search-attributes';
import {
  fullWindow,
  incrementalWindow,
  isoSeconds,
  laterIso,
  planSlices,
  parseUtc,
  wholeDays,
  windowScope,
  WindowRules,
} from '../domain/windows';
import { partWorkflowId, syncIdOf } from '../domain/workflow-ids';
import {
  destinationActivityOptions,
  keyCollisionActivityOptions,
  pageActivityOptions,
} from './activity-options';
import { pool } from './pool';
import { readPart, readPartWorkflow, targetLabel } from './read-part';

/** The resource's totals so far; start-sync polls it for its live progress. */
export const resourceProgressQuery = defineQuery<ResourceProgress>('resourceProgress');

/** The patch that reads lists read whole (not windows) in the resource's workflow rather than in children. */
export const INLINE_LIST_PATCH = 'inline-list-read';

/** Windows read at once by default (each a child workflow with its own pages in flight). */
const DEFAULT_PARALLEL_WINDOWS = 4;
/** Rounds of count checks after all parts are read; parts still moving after the last are degraded. */
const MAX_RECHECK_ROUNDS = 2;

export async function syncResourceWorkflow(input: ResourceSyncInput): Promise<ResourceResult> {
  const { resource, mode, options, destination } = input;
  const syncId = syncIdOf(input);
  const endpoint = resource.endpoint;
  const acts = proxyActivities<Activities>(destinationActivityOptions);
  const apiActs = proxyActivities<Activities>(
    pageActivityOptions(input.retry, input.client.request_timeout_seconds),
  );
  const nowMs = Date.now(); // workflow time: the same on replay
  let totals = emptyTotals();
  let partsDone = 0;
  let targets: ReadTarget[] = [{}];
  setHandler(resourceProgressQuery, () => ({
    syncId,
    ...totals,
    partsDone,
    parts: targets.length,
  }));
  upsertSearchAttributes([{ key: RESOURCES_KEY, value: [resource.name] }]);

  const result: ResourceResult = { ...emptyTotals(), rereads: [], degraded: [], notes: [] };
  // Under this resource's lock: no other sync writes to the table while it is built anew.
  if (input.rebuildTable?.length) {
    const note = await acts.prepareResourceTable({ destination, resource });
    if (note) result.notes.push(note);
  }
  const plan = await planParts(input, nowMs, () => acts.readCursor({ destination, resource: resource.name }));
  targets = plan.targets;
  result.window = plan.window;
  result.notes.push(...plan.notes);
  const inc = endpoint.incremental_sync;

  const resourceId = workflowInfo().workflowId;
  const parallel = inc ? (inc.parallel_windows ?? DEFAULT_PARALLEL_WINDOWS) : targets.length;
  // A part that fails (a page out of retries) fails the resource: nothing is marked deleted then.
  // Lists read whole (the list, or one per partition value) are read in this workflow, in parallel:
  // a few page runs each, so no child to start. Windows of a long history stay children (their
  // reads may continue as new).
  const inline = !inc && patched(INLINE_LIST_PATCH);
  const readParts = (list: ReadTarget[], round: number) =>
    pool(list, parallel, async (target) => {
      const label = targetLabel(resource.name, target);
      const name = label.slice(resource.name.length + 1) || 'all';
      const partInput = {
        ...readContext(input),
        target,
        round,
        secondChanceDelayMs: options.secondChanceDelayMs,
        ...(options.pageRunBudget ? { pageRunBudget: options.pageRunBudget } : {}),
      };
      const part = inline
        ? await readPart(partInput, false)
        : await executeChild(readPartWorkflow, {
            workflowId: partWorkflowId(resourceId, round === 0 ? name : `${name} recheck ${round}`),
            args: [partInput],
            staticSummary: `${round === 0 ? 'Read' : 'Read again'} ${label}`,
          });
      totals = sumTotals(totals, part.totals);
      partsDone++;
      return part;
    });
  const parts = await readParts(targets, 0);
  let outcomes: PartOutcome[] = parts.flatMap((p) => p.outcomes);
  result.rereads = parts.flatMap((p) => p.rereads);
  const quarantineSamples = parts.reduce<string[] | undefined>(
    (samples, p) => mergeSamples(samples, p.quarantineSamples),
    undefined,
  );

  if (endpoint.paginator && outcomes.length > 1) {
    const countItems = (o: PartOutcome) =>
      apiActs
        .countItems({ client: input.client, retry: input.retry, resource, target: o.target })
        .catch((err: unknown) => {
          // A check the API refuses leaves that part as it was read.
          result.notes.push(`${o.label}: count not checked again (${rootCause(err) ?? String(err)})`);
          return null;
        });
    outcomes = await recheckCounts(outcomes, parallel, countItems, readParts, result.rereads);
  }
  const consistent = outcomes.filter((o) => o.consistent);
  result.degraded = outcomes
    .filter((o) => !o.consistent)
    .map((o) => `${o.label}: ${o.reason ?? 'not read consistently'}; nothing marked deleted there`);

  // What the run kept outside the table: the run says so (it ends degraded), after the cursor moved.
  const keptAside: string[] = [];
  if (totals.quarantined > 0) {
    keptAside.push(
      `${totals.quarantined} record${totals.quarantined === 1 ? '' : 's'} quarantined (kept in _quarantine, not in the table)` +
        (quarantineSamples?.length ? `: ${quarantineSamples.join('; ')}` : ''),
    );
  }
  const scope = deletionScope(input, consistent, result.degraded.length === 0);
  if (scope) {
    const deletion = await acts.markDeletions({
      destination,
      resource,
      syncId,
      scope,
      readIds: consistent.map((o) => o.readId),
      recordsRead: consistent.reduce((n, o) => n + o.records, 0),
      maxDeleteShare: options.maxDeleteShare,
      allowMassDelete: options.allowMassDelete,
    });
    totals = { ...totals, deleted: deletion.marked, heldBack: deletion.heldBack };
    if (deletion.heldBackReason) result.notes.push(deletion.heldBackReason);
    if (deletion.collidingKeys) {
      const collisions = await proxyActivities<Activities>(
        keyCollisionActivityOptions(input.retry, input.client.request_timeout_seconds),
      ).quarantineKeyCollisions({
        ...readContext(input),
        reads: consistent.map((o) => ({ readId: o.readId, target: o.target })),
      });
      totals = { ...totals, quarantined: totals.quarantined + collisions.quarantined };
      const said = describeCollisions(collisions);
      keptAside.push(...said.degraded);
      result.notes.push(...said.notes);
    }
  }

  // The cursor moves only after a complete, consistent read with every deletion written: otherwise
  // the next incremental run must read from where the last complete one left off.
  const { window, previousCursor } = plan;
  if (inc && window) {
    if (result.degraded.length === 0 && totals.heldBack === 0) {
      const newest = consistent.reduce<string | undefined>(
        (c, o) => laterIso(c, o.cursorMax),
        previousCursor,
      );
      // Without a cursor field the run's start is the cursor: the next run reads from its lookback.
      const cursor = (inc.cursor_field ? newest : undefined) ?? isoSeconds(nowMs);
      await acts.recordCursor({
        destination,
        state: { resource: resource.name, cursor, window, syncId, mode },
      });
      result.cursor = cursor;
    } else {
      result.cursor = previousCursor;
      result.notes.push('cursor left where it was: the read was not complete');
    }
  }
  result.degraded.push(...keptAside);
  return { ...result, ...totals };
}

/** What the key collision check found, for the run's summary: collisions degrade it, moves do not. */
function describeCollisions(c: KeyCollisionsResult): { degraded: string[]; notes: string[] } {
  const keys = (n: number) => `${n} key${n === 1 ? '' : 's'}`;
  if (c.confirmed) {
    const unchecked = c.suspected > c.confirmed ? ` (of ${c.suspected} suspected, the first read again)` : '';
    return {
      notes: [],
      degraded: [
        `key collision: ${keys(c.confirmed)} shared by different records${unchecked}: ${c.examples.join('; ')}; ` +
          `all ${c.quarantined} kept in _quarantine, the table holds the newest of each ` +
          '(the primary_key does not identify these records)',
      ],
    };
  }
  if (!c.suspected) return { degraded: [], notes: [] };
  return {
    degraded: [],
    notes: [
      `${keys(c.suspected)} read twice with different contents, each one record that changed between ` +
        'reads (the table holds its newest state)',
    ],
  };
}

/** What every read of the resource in this run shares. */
function readContext(input: ResourceSyncInput): ReadContext {
  const { destination, client, retry, resource } = input;
  return { destination, client, retry, resource, syncId: syncIdOf(input) };
}

interface PartsPlan {
  targets: ReadTarget[];
  /** The window of start times (windowed resources). */
  window?: TimeWindow;
  previousCursor?: string;
  notes: string[];
}

/** The parts a run reads: the list, one per partition value, or windows of start times. */
async function planParts(
  input: ResourceSyncInput,
  nowMs: number,
  readCursor: () => Promise<CursorState | null>,
): Promise<PartsPlan> {
  const { endpoint } = input.resource;
  const inc = endpoint.incremental_sync;
  if (inc) {
    const rules: WindowRules = {
      startDatetime: inc.start_datetime,
      minDatetime: inc.min_datetime,
      endDatetime: inc.end_datetime,
      lookbackDays: input.options.lookbackDays,
      horizonDays: input.options.horizonDays,
      cursorMarginMs: input.options.cursorMarginMs,
    };
    const previousCursor = input.mode === 'incremental' ? (await readCursor())?.cursor : undefined;
    const asked =
      input.mode === 'incremental'
        ? incrementalWindow(rules, nowMs, previousCursor)
        : fullWindow(rules, nowMs);
    // Dates sent for a `date` window cover whole days: the window read is those days.
    const window = inc.type === 'date' ? wholeDays(asked) : asked;
    const slices = planSlices(parseUtc(window.since), parseUtc(window.until), inc.slice_days);
    const notes =
      input.mode === 'incremental' && previousCursor === undefined
        ? ['no cursor yet: the first incremental run reads the whole history']
        : [];
    return { targets: slices.map((w) => ({ window: w })), window, previousCursor, notes };
  }
  if (endpoint.partition_router) {
    return { targets: endpoint.partition_router.values.map((partition) => ({ partition })), notes: [] };
  }
  return { targets: [{}], notes: [] };
}

/**
 * Each part is a consistent snapshot of itself; a record that moved from a part read later into one
 * read earlier would be missed by both. Such moves change both parts' counts: once all are read, ask
 * each for its count again and read again the parts whose count moved. Parts still moving after the
 * last round are kept as read but count as not consistent (no deletions there).
 */
async function recheckCounts(
  first: PartOutcome[],
  parallel: number,
  countItems: (o: PartOutcome) => Promise<number | null>,
  readParts: (targets: ReadTarget[], round: number) => Promise<PartResult[]>,
  rereads: string[],
): Promise<PartOutcome[]> {
  let outcomes = first;
  for (let round = 1; round <= MAX_RECHECK_ROUNDS; round++) {
    const counts = await pool(outcomes, parallel, (o) =>
      o.consistent ? countItems(o) : Promise.resolve(null),
    );
    const moved = outcomes.filter((o, i) => counts[i] !== null && counts[i] !== o.records);
    if (moved.length === 0) break;
    for (const o of moved) {
      rereads.push(
        `${o.label}: count_items is ${counts[outcomes.indexOf(o)]} now, ${o.records} when read; read again`,
      );
    }
    if (round === MAX_RECHECK_ROUNDS) {
      return outcomes.map((o) =>
        moved.includes(o) ? { ...o, consistent: false, reason: 'kept changing after it was read' } : o,
      );
    }
    const again = await readParts(
      moved.map((o) => o.target),
      round,
    );
    rereads.push(...again.flatMap((p) => p.rereads));
    outcomes = [...outcomes.filter((o) => !moved.includes(o)), ...again.flatMap((p) => p.outcomes)];
  }
  return outcomes;
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
    return windowScope(
      endpoint.incremental_sync,
      consistent.map((o) => o.target.window).filter((w): w is TimeWindow => w !== undefined),
    );
  }
  if (endpoint.partition_router) {
    return { kind: 'partitions', values: consistent.map((o) => o.target.partition ?? '') };
  }
  return { kind: 'all' };
}
