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
import { emptyTotals, resourceWorkflowId } from '../shared/types';
import { destinationActivityOptions } from './activity-options';
import { syncResourceWorkflow } from './sync-resource';

export const syncProgressQuery = defineQuery<ResourceSummary[]>('progress');

export async function syncWorkflow(input: SyncInput): Promise<SyncSummary> {
  const { workflowId } = workflowInfo();
  // Workflow time is deterministic: the same on replay. It versions every row this run writes.
  const runVersion = Date.now();
  const selected = input.config.resources.filter((r) => input.resources.includes(r.name));
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
    startedAt: runVersion,
    finishedAt: 0,
  }));
  setHandler(syncProgressQuery, () => progress);
  // Shown in the Web UI's "current details" while the run goes on.
  const showDetails = () =>
    setCurrentDetails(
      [
        '| resource | status | pages | rows | deleted |',
        '| --- | --- | --- | --- | --- |',
        ...progress.map(
          (r) =>
            `| ${r.resource} | ${r.finishedAt === 0 ? 'running' : r.ok ? 'done' : `failed: ${r.error}`} | ${r.pages} | ${r.rows} | ${r.deleted} |`,
        ),
      ].join('\n'),
    );
  showDetails();

  const { prepareDestination } = proxyActivities<Activities>(destinationActivityOptions);
  await prepareDestination(selected);

  await Promise.all(
    selected.map(async (resource, i) => {
      try {
        const totals = await executeChild(syncResourceWorkflow, {
          workflowId: resourceWorkflowId(input.scope, resource.name),
          args: [
            {
              client: input.config.client,
              retry: input.config.retry,
              resource,
              mode: input.mode,
              runId: workflowId,
              runVersion,
            },
          ],
          staticSummary: `Sync ${resource.name} (${input.mode}) for ${workflowId}`,
        });
        progress[i] = { ...progress[i], ...totals, ok: true, finishedAt: Date.now() };
      } catch (err) {
        const error =
          err instanceof WorkflowExecutionAlreadyStartedError
            ? `another sync of ${resource.name} is still running (workflow ${resourceWorkflowId(input.scope, resource.name)})`
            : (rootCause(err) ?? String(err));
        progress[i] = { ...progress[i], ok: false, error, finishedAt: Date.now() };
      }
      showDetails();
    }),
  );

  const summary: SyncSummary = {
    runId: workflowId,
    mode: input.mode,
    resources: progress,
    startedAt: runVersion,
    finishedAt: Date.now(),
  };
  upsertSearchAttributes([{ key: ROWS_SYNCED_KEY, value: progress.reduce((n, r) => n + r.rows, 0) }]);
  const failed = progress.filter((r) => !r.ok);
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
