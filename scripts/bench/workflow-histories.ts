// Every run of one sync, with its history: the sync workflow, its children, theirs, and every run
// any of them continued as new into, found by following the histories themselves (a child's run id
// is in its parent's ChildWorkflowExecutionStarted, the next run's in ContinuedAsNew). Children's
// workflow ids are per resource, not per sync, so listing by id would find other syncs' runs too.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface RunHistory {
  workflowId: string;
  runId: string;
  workflowType: string;
  events: HistoryEvent[];
}

const EventType = temporal.api.enums.v1.EventType;

/** 'ActivityTaskStarted' for EVENT_TYPE_ACTIVITY_TASK_STARTED. */
export function eventTypeName(e: HistoryEvent): string {
  const name = EventType[e.eventType ?? 0] ?? `EVENT_TYPE_${String(e.eventType)}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __: string, c: string) => c.toUpperCase());
}

/** An event's time in ms since the epoch. */
export const eventMs = (e: HistoryEvent): number => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : NaN;
};

/** A protobuf Duration in ms (0 when unset). */
export const durationMs = (d: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  d ? Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6) : 0;

export async function syncHistories(client: Client, syncWorkflowId: string): Promise<RunHistory[]> {
  // The sync's first run: the handle without a run id is its latest, should it have continued as new.
  const latest = await client.workflow.getHandle(syncWorkflowId).describe();
  const latestHistory = await client.workflow.getHandle(syncWorkflowId, latest.runId).fetchHistory();
  const first =
    latestHistory.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId || latest.runId;
  const queue: { workflowId: string; runId: string }[] = [{ workflowId: syncWorkflowId, runId: first }];
  const seen = new Set<string>();
  const out: RunHistory[] = [];
  while (queue.length > 0) {
    const { workflowId, runId } = queue.shift()!;
    if (seen.has(runId)) continue;
    seen.add(runId);
    const history =
      runId === latest.runId
        ? latestHistory
        : await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    out.push({ workflowId, runId, workflowType: started?.workflowType?.name ?? '?', events });
    for (const e of events) {
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId && child.runId) queue.push({ workflowId: child.workflowId, runId: child.runId });
      const next = e.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (next) queue.push({ workflowId, runId: next });
    }
  }
  return out;
}
