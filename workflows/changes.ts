// Webhook events into syncs: one long-lived workflow per destination (`clockodo-changes/<host>/<db>`)
// that the receiver signals with start. Events of a resource wait as "pending"; a batch of them starts
// one incremental sync of just those resources, as a child sync run under the same per-resource locks
// as schedules, so it never overlaps a scheduled run or a reconciliation (it waits for the lock).
// Events that arrive while a sync runs start one more after it, never one per event.
//
// Unlike the sync runs (PINNED to the build that started them), this workflow is AUTO_UPGRADE: it
// waits for events across deploys, so its next task runs on the current build. A change to this file
// must therefore replay its recorded histories (test/unit/replay-histories.test.ts) or be patched.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  log,
  proxyActivities,
  rootCause,
  setHandler,
  setWorkflowOptions,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ChangesInput, ChangesState, PendingResource, ResourceEvents } from '../domain/changes';
import { emptyChangesState } from '../domain/changes';
import { destinationKey } from '../domain/workflow-ids';
import { runHistoryActivityOptions } from './activity-options';
import { HISTORY_EVENTS_LIMIT } from './read-pages';
import { syncWorkflow } from './sync';

export const webhookEventsSignal = defineSignal<[ResourceEvents[]]>('webhookEvents');
export const changesStateQuery = defineQuery<ChangesState>('changesState');

/**
 * After an idle spell, the first event's sync waits this long for the events that come with it (one
 * edit in Clockodo may send `entry.stopped` and `entry.updated` together).
 */
const GATHER_MS = 250;
/** Syncs per run before it continues as new: each adds about 15 events to the history. */
const SYNCS_PER_RUN = 200;

export async function changesWorkflow(input: ChangesInput): Promise<ChangesState> {
  const state: ChangesState = input.state ?? emptyChangesState();
  const pendingCount = () => Object.keys(state.pending).length;
  setHandler(webhookEventsSignal, (batch) => {
    for (const e of batch) {
      state.received += e.count;
      const had = state.pending[e.resource];
      // Every event beyond the first of a resource's pending batch joins the sync it is due in.
      state.coalesced += had ? e.count : e.count - 1;
      state.pending[e.resource] = {
        event: e.event,
        count: (had?.count ?? 0) + e.count,
        lastAt: Math.max(had?.lastAt ?? 0, e.at),
      };
    }
  });
  setHandler(changesStateQuery, () => state);

  const { recordWebhookEvents } = proxyActivities<Activities>(runHistoryActivityOptions);
  const { workflowId } = workflowInfo();
  let syncsThisRun = 0;
  // Workflow time: deterministic on replay. A new run may sync at once.
  let lastSyncAt = 0;

  for (;;) {
    if (!(await condition(() => pendingCount() > 0, input.idleMs))) break;
    // At most one sync per debounce window; after an idle spell, a short gather only.
    await sleep(Math.max(GATHER_MS, lastSyncAt + input.debounceMs - Date.now()));
    const batch = state.pending;
    state.pending = {};
    lastSyncAt = Date.now();
    await syncBatch(batch);
    syncsThisRun++;
    const info = workflowInfo();
    if (
      syncsThisRun >= (input.syncsPerRun ?? SYNCS_PER_RUN) ||
      info.continueAsNewSuggested ||
      info.historyLength > HISTORY_EVENTS_LIMIT
    ) {
      // Signals taken so far are in `state`; one arriving now fails this task and is replayed first.
      await condition(allHandlersFinished);
      return continueAsNew<typeof changesWorkflow>({ ...input, state: { ...state, running: undefined } });
    }
  }
  // Idle: this run ends (its history stays short); the next event starts a new one.
  await condition(allHandlersFinished);
  return state;

  async function syncBatch(batch: Record<string, PendingResource>): Promise<void> {
    const resources = input.sync.config.resources.map((r) => r.name).filter((name) => name in batch);
    // Only names of the configuration reach here (the receiver checks them); nothing else starts a sync.
    if (!resources.length) return;
    const childId = `${workflowId}/sync-${new Date(Date.now()).toISOString().replace(/[:.]/g, '-')}`;
    state.syncs++;
    state.running = { workflowId: childId, resources, startedAt: Date.now() };
    try {
      // Status shows the last event per resource even while its sync waits for a lock.
      await recordWebhookEvents({
        destination: input.sync.destination,
        rows: resources.map((resource) => ({
          resource,
          event: batch[resource].event,
          received: new Date(batch[resource].lastAt).toISOString().slice(0, 19).replace('T', ' '),
          events: batch[resource].count,
          sync_id: childId,
        })),
      });
    } catch (err) {
      log.warn('could not record webhook events', { error: rootCause(err) ?? String(err) });
    }
    try {
      await executeChild(syncWorkflow, {
        workflowId: childId,
        args: [{ ...input.sync, resources, mode: 'incremental', trigger: 'webhook' }],
        staticSummary: `Webhook sync of ${resources.join(', ')} into ${destinationKey(input.sync.destination)}`,
      });
    } catch (err) {
      // The changes stay for the schedule (the safety net); a later event syncs again.
      state.failedSyncs++;
      log.warn('webhook sync failed', { sync: childId, resources, error: rootCause(err) ?? String(err) });
    } finally {
      state.running = undefined;
    }
  }
}

// Only on a worker of a deployment version: an unversioned worker (WORKER_VERSIONING=off) that names a
// behavior has its workflow tasks refused, and the run would never start.
setWorkflowOptions(
  () =>
    workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {},
  changesWorkflow,
);
