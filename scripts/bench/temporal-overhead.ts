// What Temporal itself costs a page, read from the histories of one sync (the sync, its resource
// workflows, their part workflows, and every run they continued as new into):
// - dispatch: from a page activity being scheduled to a worker starting it;
// - workflow-task time per page: the time workflow tasks of the sync took, shared over its pages.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;

const ms = (t: Event['eventTime']): number =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : NaN;

export interface TemporalCost {
  workflows: number;
  historyEvents: number;
  pages: number;
  /** Median ms from a page activity being scheduled to its start on a worker. */
  dispatchMedianMs: number;
  dispatchP95Ms: number;
  /** Median ms a page activity ran (the request and its writes). */
  activityMedianMs: number;
  /** Workflow-task time of the whole sync (started to completed, summed), per page, ms. */
  workflowTaskMsPerPage: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function temporalCost(client: Client, syncWorkflowId: string): Promise<TemporalCost> {
  const queue: { workflowId: string; runId?: string }[] = [{ workflowId: syncWorkflowId }];
  const dispatch: number[] = [];
  const running: number[] = [];
  let workflowTaskMs = 0;
  let events = 0;
  let workflows = 0;
  while (queue.length > 0) {
    const { workflowId, runId } = queue.shift()!;
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    workflows++;
    const scheduled = new Map<string, { at: number; page: boolean }>();
    const started = new Map<string, number>();
    let taskStarted = NaN;
    for (const e of history.events ?? []) {
      events++;
      const at = ms(e.eventTime);
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId) queue.push({ workflowId: child.workflowId, runId: child.runId ?? undefined });
      const next = e.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (next) queue.push({ workflowId, runId: next });
      if (e.workflowTaskStartedEventAttributes) taskStarted = at;
      if (e.workflowTaskCompletedEventAttributes && !isNaN(taskStarted)) workflowTaskMs += at - taskStarted;
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), { at, page: s.activityType?.name === 'fetchPage' });
      const st = e.activityTaskStartedEventAttributes;
      if (st) started.set(String(st.scheduledEventId), at);
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const id = String(done.scheduledEventId);
        const sched = scheduled.get(id);
        const start = started.get(id);
        if (sched?.page && start !== undefined) {
          dispatch.push(start - sched.at);
          running.push(at - start);
        }
      }
    }
  }
  dispatch.sort((a, b) => a - b);
  running.sort((a, b) => a - b);
  return {
    workflows,
    historyEvents: events,
    pages: dispatch.length,
    dispatchMedianMs: quantile(dispatch, 0.5),
    dispatchP95Ms: quantile(dispatch, 0.95),
    activityMedianMs: quantile(running, 0.5),
    workflowTaskMsPerPage: dispatch.length ? workflowTaskMs / dispatch.length : NaN,
  };
}
