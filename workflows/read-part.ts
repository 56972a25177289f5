// One part of a resource (the list, one partition value, or one window of start times), read until a
// read is consistent: if the list changed while it was paged, the part is read again (a window in two
// narrower halves) up to a bound; a part that never reads consistently comes back degraded, so that
// nothing is marked deleted in it. Long reads continue as new, carrying only where they stand.
import {
  continueAsNew,
  defineQuery,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  PageResult,
  PageRunBudget,
  PartOutcome,
  PartResult,
  LegacySyncId,
  ReadContext,
  ReadProgress,
  ReadTarget,
  SeenRecords,
} from '../domain/types';
import { emptyTotals, factsTotals, mergeSamples, sumTotals } from '../domain/totals';
import { pageConcurrency, startOfRead } from '../domain/paging';
import { DAY_MS, SECOND_MS, splitWindow } from '../domain/windows';
import { syncIdOf } from '../domain/workflow-ids';
import { PAGE_RUN_BUDGET } from '../domain/page-runs';
import { destinationActivityOptions, pageActivityOptions, pageRunActivityOptions } from './activity-options';
import { judgeRead } from './consistency';
import {
  DEFAULT_SECOND_CHANCE_DELAY_MS,
  historyIsLarge,
  readPageRuns,
  readPages,
  RunsRead,
} from './read-pages';

/** The patch that judges a read by its distinct records, not only its distinct ids (key collisions). */
export const SEEN_RECORDS_PATCH = 'seen-records';

/** The patch that reads pages in page runs (many pages per activity) instead of one activity per page. */
export const PAGE_RUNS_PATCH = 'page-runs';

/** Reads of one lineage of a part (the first and its re-reads) before it counts as degraded. */
export const MAX_READ_ATTEMPTS = 3;

interface ReadTask {
  target: ReadTarget;
  attempt: number;
}

export interface ReadPartState {
  queue: ReadTask[];
  /** The first task's read, when a run paused in the middle of it. */
  current?: ReadProgress;
  outcomes: PartOutcome[];
  rereads: string[];
  totals: PartResult['totals'];
  quarantineSamples?: string[];
}

export interface ReadPartInput extends ReadContext, LegacySyncId {
  target: ReadTarget;
  /** 0 for a resource's first read of the part; n for its n-th re-check (keeps read ids apart). */
  round?: number;
  state?: ReadPartState;
  /** RunOptions.secondChanceDelayMs. */
  secondChanceDelayMs?: number;
  /** RunOptions.pageRunBudget. */
  pageRunBudget?: PageRunBudget;
}

/** The part's totals so far: for an operator watching a long read (the Web UI's Queries tab, or
 * `temporal workflow query --name partTotals`); no client of ours asks it. */
export const partTotalsQuery = defineQuery<PartResult['totals']>('partTotals');

/** The read's progress as the Web UI shows it (the workflow's current details). */
function describeProgress(label: string, at: ReadProgress): string {
  const of = at.known > 1 ? ` of ${at.known}` : '';
  return `${label}: reading from page ${at.nextPage}${of}; ${at.facts.records} records read, ${at.facts.written} written`;
}

export function targetLabel(resource: string, t: ReadTarget): string {
  if (t.window) return `${resource} ${t.window.since}..${t.window.until}`;
  if (t.partition !== undefined) return `${resource} ${t.partition}`;
  return resource;
}

export async function readPartWorkflow(input: ReadPartInput): Promise<PartResult> {
  return readPart(input, true);
}

/**
 * Reads a part. As its own workflow (`ownRun`) it answers partTotals and continues as new when its
 * history grows large; inline, in its resource's workflow (a list or a partition: a few page runs), it
 * does neither, and saves a child workflow's start and its workflow tasks.
 */
export async function readPart(input: ReadPartInput, ownRun: boolean): Promise<PartResult> {
  const { resource } = input;
  const syncId = syncIdOf(input);
  const pageOptions = pageActivityOptions(input.retry, input.client.request_timeout_seconds);
  const pageActs = proxyActivities<Activities>(pageOptions);
  const budget = input.pageRunBudget ?? PAGE_RUN_BUDGET;
  const runOptions = pageRunActivityOptions(
    input.retry,
    input.client.request_timeout_seconds,
    budget.seconds,
  );
  const runActs = proxyActivities<Activities>(runOptions);
  // Reads begun one activity per page (their history says so) go on so; new ones read in page runs.
  const pageRuns = patched(PAGE_RUNS_PATCH);
  const destActs = proxyActivities<Activities>(destinationActivityOptions);
  const state: ReadPartState = input.state ?? {
    queue: [{ target: input.target, attempt: 1 }],
    outcomes: [],
    rereads: [],
    totals: emptyTotals(),
  };
  if (ownRun) setHandler(partTotalsQuery, () => state.totals);
  // Through domain/paging.ts: an input written by an older client names the paginator's keys the old way.
  const concurrency = pageConcurrency(resource.endpoint.paginator);
  // Reads that began before records' contents were counted (their history asks countSeenIds) go on so.
  const seenRecords = async (readId: string): Promise<SeenRecords> => {
    if (patched(SEEN_RECORDS_PATCH)) return destActs.seenRecords({ destination: input.destination, readId });
    const ids = await destActs.countSeenIds({ destination: input.destination, readId });
    return { ids, records: ids };
  };

  while (state.queue.length > 0) {
    const task = state.queue[0];
    const label = targetLabel(resource.name, task.target);
    const readId = `${syncId}|${label}|${input.round ?? 0}.${task.attempt}`;
    const request = {
      destination: input.destination,
      client: input.client,
      retry: input.retry,
      resource,
      syncId,
      readId,
      target: task.target,
    };
    const chance = { delayMs: input.secondChanceDelayMs ?? DEFAULT_SECOND_CHANCE_DELAY_MS };
    const from = state.current ?? startOfRead();
    let read: RunsRead;
    if (pageRuns) {
      const run = (at: ReadProgress) => {
        setCurrentDetails(describeProgress(label, at));
        return runActs.readPageRun.executeWithOptions(
          { ...runOptions, summary: `${label} from page ${at.nextPage}` },
          [{ ...request, from: at, concurrency, budget }],
        );
      };
      read = await readPageRuns(run, label, from, ownRun, input.retry.max_retries + 1, chance);
    } else {
      const fetch = (page: number): Promise<PageResult> =>
        pageActs.fetchPage.executeWithOptions({ ...pageOptions, summary: `${label} page ${page}` }, [
          { ...request, page },
        ]);
      read = await readPages(fetch, label, concurrency, from, ownRun, chance);
    }
    if (!read.done) {
      return continueAsNew<typeof readPartWorkflow>({
        ...input,
        state: { ...state, current: read.progress },
      });
    }
    state.current = undefined;
    state.queue.shift();
    const { facts } = read;
    state.totals = sumTotals(state.totals, factsTotals(facts));
    state.quarantineSamples = mergeSamples(state.quarantineSamples, facts.quarantineSamples);
    // A page run counts what its read saw as it ends; reads in the older shape ask once more.
    const seen = !facts.complete ? { ids: 0, records: 0 } : (read.seen ?? (await seenRecords(readId)));
    const verdict = judgeRead(facts, seen);
    if (verdict.consistent) {
      state.outcomes.push({
        target: task.target,
        label,
        readId,
        consistent: true,
        records: facts.records,
        cursorMax: facts.cursorMax,
        ...(verdict.collisions ? { collisions: verdict.collisions } : {}),
      });
    } else if (task.attempt >= MAX_READ_ATTEMPTS) {
      state.rereads.push(`${label}: ${verdict.reason}; gave up after ${task.attempt} reads`);
      state.outcomes.push({
        target: task.target,
        label,
        readId,
        consistent: false,
        reason: verdict.reason,
        records: facts.records,
      });
    } else {
      // Narrower windows take less time to page, so a busy list is more likely to hold still.
      const days = input.resource.endpoint.incremental_sync?.type === 'date';
      const halves = task.target.window ? splitWindow(task.target.window, days ? DAY_MS : SECOND_MS) : null;
      const next = halves
        ? halves.map((window) => ({ target: { window }, attempt: task.attempt + 1 }))
        : [{ target: task.target, attempt: task.attempt + 1 }];
      state.rereads.push(
        `${label}: ${verdict.reason}; read again${halves ? ' in two halves' : ''} (read ${task.attempt + 1})`,
      );
      state.queue.unshift(...next);
    }
    if (ownRun && state.queue.length > 0 && historyIsLarge()) {
      return continueAsNew<typeof readPartWorkflow>({ ...input, state });
    }
  }
  return {
    outcomes: state.outcomes,
    rereads: state.rereads,
    totals: state.totals,
    ...(state.quarantineSamples ? { quarantineSamples: state.quarantineSamples } : {}),
  };
}
