// A sync run: prepare the tables, then one child workflow per resource, all at once. A failing
// resource does not stop the others; the run fails at the end naming each failed resource.
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  log,
  executeChild,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  rootCause,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import { RESOURCES_KEY, ROWS_SYNCED_KEY, SYNC_MODE_KEY } from '../domain/search-attributes';
import type { ResourceSummary, SyncInput, SyncSummary } from '../domain/types';
import { applyRunRules } from '../domain/run-rules';
import { runRowsOf } from '../domain/run-rows';
import { emptyTotals } from '../domain/totals';
import { destinationKey, resourceWorkflowId } from '../domain/workflow-ids';
import { destinationActivityOptions, runHistoryActivityOptions } from './activity-options';
import { syncResourceWorkflow } from './sync-resource';

/** Each resource's summary so far; release-stuck reads it to record a run it ends. */
export const syncProgressQuery = defineQuery<ResourceSummary[]>('syncProgress');

export async function syncWorkflow(input: SyncInput): Promise<SyncSummary> {
  const { workflowId } = workflowInfo();
  // Workflow time is deterministic: the same on replay.
  const runVersion = Date.now();
  // Relative settings (this year and the two before, ...) as of this run's start, not the client's.
  const config = applyRunRules(input.config, input.rules, runVersion);
  const selected = config.resources.filter((r) => input.resources.includes(r.name));
  const unknown = input.resources.filter((n) => !selected.some((r) => r.name === n));
  if (unknown.length) {
    throw ApplicationFailure.nonRetryable(`unknown resources: ${unknown.join(', ')}`, 'ConfigError');
  }
  upsertSearchAttributes([
    { key: SYNC_MODE_KEY, value: input.mode },
    { key: RESOURCES_KEY, value: selected.map((r) => r.name) },
  ]);

  const progress: ResourceSummary[] = selected.map((r) => ({
    resource: r.name,
    ok: false,
    ...emptyTotals(),
    rereads: [],
    degraded: [],
    notes: [],
    startedAt: runVersion,
    finishedAt: 0,
  }));
  setHandler(syncProgressQuery, () => progress);
  // Shown in the Web UI's "current details" while the run goes on.
  const showDetails = () =>
    setCurrentDetails(
      [
        `Destination: ${destinationKey(input.destination)}`,
        '',
        // A list, not a table: the Web UI draws Markdown tables without cell padding.
        ...progress.map(
          (r) =>
            `- ${r.resource}: ${statusOf(r)}, ${r.pages} page${r.pages === 1 ? '' : 's'}, ${r.rows} rows written, ` +
            `${r.unchanged} unchanged, ${r.deleted} deleted, ${r.heldBack} held back`,
        ),
      ].join('\n'),
    );
  showDetails();

  const { prepareDestination } = proxyActivities<Activities>(destinationActivityOptions);
  let cancelled: Error | undefined;
  log.info('sync started', {
    mode: input.mode,
    resources: input.resources,
    destination: destinationKey(input.destination),
    trigger: input.trigger ?? 'hand',
  });
  const schema = await prepareDestination({ destination: input.destination, resources: selected });
  // Tables to build anew are built by their resource's own sync, under its lock. (Results recorded
  // before rebuilds existed have no `rebuild`.)
  const rebuildOf = new Map(schema.map((c) => [c.table, c.rebuild ?? []]));
  // Columns the configuration gained are added here: the resource's summary says so.
  for (const r of progress) {
    const added = schema.find((c) => c.table === r.resource)?.addedColumns ?? [];
    if (added.length)
      r.notes.push(`column${added.length === 1 ? '' : 's'} added to the table: ${added.join(', ')}`);
  }

  await Promise.all(
    selected.map(async (resource, i) => {
      try {
        const totals = await whenFree(input.options.lockWaitMs ?? 0, () =>
          executeChild(syncResourceWorkflow, {
            workflowId: resourceWorkflowId(input.destination, resource.name),
            args: [
              {
                destination: input.destination,
                client: config.client,
                retry: config.retry,
                resource,
                mode: input.mode,
                options: input.options,
                syncId: workflowId,
                ...(rebuildOf.get(resource.name)?.length
                  ? { rebuildTable: rebuildOf.get(resource.name) }
                  : {}),
              },
            ],
            staticSummary: `Sync ${resource.name} (${input.mode}) for ${workflowId}`,
          }),
        );
        progress[i] = {
          ...progress[i],
          ...totals,
          notes: [...progress[i].notes, ...totals.notes],
          ok: true,
          finishedAt: Date.now(),
        };
      } catch (err) {
        if (isCancellation(err)) {
          cancelled = err as Error;
          progress[i] = {
            ...progress[i],
            ok: false,
            cancelled: true,
            error: 'cancelled',
            finishedAt: Date.now(),
          };
          return;
        }
        const error =
          err instanceof WorkflowExecutionAlreadyStartedError
            ? `another sync of ${resource.name} into ${destinationKey(input.destination)} is still running (workflow ${resourceWorkflowId(input.destination, resource.name)})`
            : (rootCause(err) ?? String(err));
        progress[i] = { ...progress[i], ok: false, error, finishedAt: Date.now() };
      }
      showDetails();
    }),
  );

  const failed = progress.filter((r) => !r.ok && !r.cancelled);
  const degraded = progress.some((r) => r.degraded.length > 0 || r.heldBack > 0);
  const summary: SyncSummary = {
    syncId: workflowId,
    mode: input.mode,
    destination: input.destination,
    outcome: cancelled ? 'cancelled' : failed.length ? 'failed' : degraded ? 'degraded' : 'ok',
    resources: progress,
    startedAt: runVersion,
    finishedAt: Date.now(),
  };
  upsertSearchAttributes([{ key: ROWS_SYNCED_KEY, value: progress.reduce((n, r) => n + r.rows, 0) }]);
  log.info('sync finished', {
    outcome: summary.outcome,
    rowsWritten: progress.reduce((n, r) => n + r.rows, 0),
    resources: progress.map((r) => `${r.resource}:${r.cancelled ? 'cancelled' : r.ok ? 'ok' : 'failed'}`),
  });
  // The run history is written whatever the outcome, even when the run was cancelled.
  await CancellationScope.nonCancellable(() => recordRun(input, summary));
  if (cancelled) throw cancelled;
  if (failed.length) {
    throw ApplicationFailure.create({
      message: `sync failed for ${failed.map((r) => `${r.resource} (${r.error})`).join('; ')}`,
      type: 'SyncFailed',
      nonRetryable: true,
      details: [summary],
    });
  }
  return summary;
}

/**
 * Starts a resource's sync; while another sync of it into the same destination runs (its workflow
 * id is taken), tries again every little while for up to `waitMs`, then lets the failure through.
 */
async function whenFree<T>(waitMs: number, start: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  const every = Math.max(1000, Math.min(10_000, Math.floor(waitMs / 4)));
  for (;;) {
    try {
      return await start();
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || Date.now() + every > deadline) throw err;
      await sleep(every);
    }
  }
}

/** One sync_runs row per resource; a destination that cannot take them does not change the outcome. */
async function recordRun(input: SyncInput, summary: SyncSummary): Promise<void> {
  const { recordRun: record } = proxyActivities<Activities>(runHistoryActivityOptions);
  const rows = runRowsOf(summary, input.trigger ?? 'hand');
  try {
    await record({ destination: input.destination, rows });
  } catch {
    // The run's own result still says what happened; the Web UI shows this activity's failure.
  }
}

function statusOf(r: ResourceSummary): string {
  if (r.finishedAt === 0) return 'running';
  if (r.cancelled) return 'cancelled';
  if (!r.ok) return `failed: ${r.error}`;
  if (r.degraded.length || r.heldBack) return `degraded: ${[...r.degraded, ...r.notes].join('; ')}`;
  return 'done';
}
