// A sync run: prepare the tables, then one child workflow per resource, all at once. A failing
// resource does not stop the others; the run fails at the end naming each failed resource.
import {
  ApplicationFailure,
  defineQuery,
  executeChild,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  rootCause,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import { RESOURCES_KEY, ROWS_SYNCED_KEY, SYNC_MODE_KEY } from '../shared/search-attributes';
import type { ResourceSummary, SyncInput, SyncSummary } from '../shared/types';
import { applyRunRules } from '../shared/run-rules';
import { emptyTotals } from '../shared/totals';
import { destinationKey, resourceWorkflowId } from '../shared/workflow-ids';
import { destinationActivityOptions } from './activity-options';
import { syncResourceWorkflow } from './sync-resource';

export const syncProgressQuery = defineQuery<ResourceSummary[]>('progress');

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
        '| resource | status | pages | rows written | unchanged | deleted | held back |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...progress.map(
          (r) =>
            `| ${r.resource} | ${statusOf(r)} | ${r.pages} | ${r.rows} | ${r.unchanged} | ${r.deleted} | ${r.heldBack} |`,
        ),
      ].join('\n'),
    );
  showDetails();

  const { prepareDestination } = proxyActivities<Activities>(destinationActivityOptions);
  await prepareDestination({ destination: input.destination, resources: selected });

  await Promise.all(
    selected.map(async (resource, i) => {
      try {
        const totals = await executeChild(syncResourceWorkflow, {
          workflowId: resourceWorkflowId(input.destination, resource.name),
          args: [
            {
              destination: input.destination,
              client: config.client,
              retry: config.retry,
              resource,
              mode: input.mode,
              options: input.options,
              runId: workflowId,
            },
          ],
          staticSummary: `Sync ${resource.name} (${input.mode}) for ${workflowId}`,
        });
        progress[i] = { ...progress[i], ...totals, ok: true, finishedAt: Date.now() };
      } catch (err) {
        const error =
          err instanceof WorkflowExecutionAlreadyStartedError
            ? `another sync of ${resource.name} into ${destinationKey(input.destination)} is still running (workflow ${resourceWorkflowId(input.destination, resource.name)})`
            : (rootCause(err) ?? String(err));
        progress[i] = { ...progress[i], ok: false, error, finishedAt: Date.now() };
      }
      showDetails();
    }),
  );

  const failed = progress.filter((r) => !r.ok);
  const degraded = progress.some((r) => r.degraded.length > 0 || r.heldBack > 0);
  const summary: SyncSummary = {
    runId: workflowId,
    mode: input.mode,
    destination: input.destination,
    outcome: failed.length ? 'failed' : degraded ? 'degraded' : 'ok',
    resources: progress,
    startedAt: runVersion,
    finishedAt: Date.now(),
  };
  upsertSearchAttributes([{ key: ROWS_SYNCED_KEY, value: progress.reduce((n, r) => n + r.rows, 0) }]);
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

function statusOf(r: ResourceSummary): string {
  if (r.finishedAt === 0) return 'running';
  if (!r.ok) return `failed: ${r.error}`;
  if (r.degraded.length || r.heldBack) return `degraded: ${[...r.degraded, ...r.notes].join('; ')}`;
  return 'done';
}
