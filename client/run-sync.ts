// Starts a sync workflow and follows it: live per-resource progress, then the summary.
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { RESOURCES_KEY, SYNC_MODE_KEY } from '../domain/search-attributes';
import type { ResourceProgress, ResourceSummary, SyncInput, SyncSummary } from '../domain/types';
import { destinationKey, resourceWorkflowId } from '../domain/workflow-ids';
import { resourceProgressQuery, syncWorkflow } from '../workflows';
import { queryProgress } from './progress-query';

export interface RunSyncOptions {
  taskQueue: string;
  workflowId?: string;
  /** Called with a line whenever a resource's progress changes. */
  onProgress?: (line: string) => void;
  /** Called after each look at the resources' progress, with what each has done so far. */
  onStates?: (states: Map<string, ResourceProgress>) => void;
  pollMs?: number;
}

export type RunSyncResult =
  | { ok: true; summary: SyncSummary }
  | { ok: false; message: string; summary?: SyncSummary; cancelled?: boolean };

export function newSyncWorkflowId(now = new Date()): string {
  return `clockodo-sync-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/** Reports each resource's progress when it changes; only for child runs of this sync. */
async function poll(
  client: Client,
  input: SyncInput,
  syncId: string,
  last: Map<string, string>,
  onProgress: (l: string) => void,
  states: Map<string, ResourceProgress>,
) {
  for (const name of input.resources) {
    try {
      const t = await queryProgress(
        client.workflow.getHandle(resourceWorkflowId(input.destination, name)),
        resourceProgressQuery,
      );
      if (t.syncId !== syncId) continue; // still the previous sync's run of this resource
      states.set(name, t);
      const parts = t.parts > 1 ? `, ${t.partsDone}/${t.parts} parts` : '';
      const line = `${name}: ${t.pages} page${t.pages === 1 ? '' : 's'}, ${t.rows} rows written, ${t.unchanged} unchanged${parts}`;
      if (t.pages > 0 && last.get(name) !== line) {
        last.set(name, line);
        onProgress(line);
      }
    } catch {
      // Not started yet: nothing to say.
    }
  }
}

export function startSync(client: Client, input: SyncInput, opts: RunSyncOptions) {
  return client.workflow.start(syncWorkflow, {
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? newSyncWorkflowId(),
    args: [input],
    typedSearchAttributes: [
      { key: SYNC_MODE_KEY, value: input.mode },
      { key: RESOURCES_KEY, value: input.resources },
    ],
    staticSummary: `Clockodo sync (${input.mode}) into ${destinationKey(input.destination)}: ${input.resources.join(', ')}`,
  });
}

export async function runSync(
  client: Client,
  input: SyncInput,
  opts: RunSyncOptions,
): Promise<RunSyncResult> {
  const handle = await startSync(client, input, opts);
  const last = new Map<string, string>();
  let done = false;
  const result = handle.result().finally(() => (done = true));
  const states = new Map<string, ResourceProgress>();
  const look = () =>
    poll(client, input, handle.workflowId, last, opts.onProgress ?? (() => undefined), states);
  if (opts.onProgress || opts.onStates) {
    void (async () => {
      while (!done) {
        await look();
        opts.onStates?.(states);
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
      }
    })();
  }
  try {
    const summary = await result;
    // One last look, so bars on a terminal end where the resources ended.
    if (opts.onStates) await look().then(() => opts.onStates?.(states));
    return { ok: true, summary };
  } catch (err) {
    if (
      err instanceof WorkflowFailedError &&
      err.cause instanceof ApplicationFailure &&
      err.cause.type === 'SyncFailed'
    ) {
      const summary = err.cause.details?.[0] as SyncSummary | undefined;
      return { ok: false, message: err.cause.message, summary };
    }
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
      return { ok: false, cancelled: true, message: 'the sync was cancelled' };
    }
    return { ok: false, message: causeChain(err) };
  }
}

/** "Workflow execution failed" says nothing: name each cause down to the one that started it. */
export function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    const activity = (e as { activityType?: string }).activityType;
    const text = activity ? `activity ${activity} failed` : e.message;
    if (text && !parts.includes(text) && text !== 'Workflow execution failed') parts.push(text);
  }
  return parts.join(': ') || String(err);
}

export function formatSummary(summary: SyncSummary): string {
  const seconds = (summary.finishedAt - summary.startedAt) / 1000;
  // As wide as the longest resource name, so the columns line up.
  const width = Math.max(12, ...summary.resources.map((r) => r.resource.length));
  const head = [
    'resource'.padEnd(width),
    'written'.padStart(8),
    'unchanged'.padStart(9),
    'pages'.padStart(6),
    'deleted'.padStart(8),
    'held back'.padStart(9),
    'quarantined'.padStart(11),
    'time'.padStart(7),
    'status',
  ].join(' ');
  const rows = summary.resources.map((r: ResourceSummary) =>
    [
      r.resource.padEnd(width),
      String(r.rows).padStart(8),
      String(r.unchanged).padStart(9),
      String(r.pages).padStart(6),
      String(r.deleted).padStart(8),
      String(r.heldBack).padStart(9),
      String(r.quarantined).padStart(11),
      `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)}s`.padStart(7),
      !r.ok ? `FAILED: ${r.error}` : r.degraded.length || r.heldBack ? 'DEGRADED' : 'ok',
    ].join(' '),
  );
  const details = summary.resources.flatMap((r) => [
    ...(r.window ? [`${r.resource}: read the window ${r.window.since}..${r.window.until}`] : []),
    ...r.rereads.map((t) => `${r.resource}: re-read ${t}`),
    ...r.degraded.map((t) => `${r.resource}: DEGRADED ${t}`),
    ...r.notes.map((t) => `${r.resource}: ${t}`),
  ]);
  return [
    head,
    ...rows,
    ...details.map((d) => `  ${d}`),
    `${summary.mode} sync ${summary.syncId} into ${destinationKey(summary.destination)}: ` +
      `${summary.resources.reduce((n, r) => n + r.rows, 0)} rows written in ${seconds.toFixed(1)}s, ${summary.outcome}`,
  ].join('\n');
}
