// The activities and workflow tasks of one run's history, each with its times: what the action
// count, the step-by-step view and the dispatch figures read, whatever the activities are called.
import { durationMs, eventMs, RunHistory } from './workflow-histories';

export interface ActivityExecution {
  type: string;
  scheduledMs: number;
  /** The last attempt's start (Temporal records only that one); NaN if it never started. */
  startedMs: number;
  /** Completed, failed, timed out or cancelled; NaN if still open. */
  closedMs: number;
  /** ActivityTaskStarted's attempt: 1, or more after retries. */
  attempts: number;
  heartbeatTimeoutMs: number;
}

export interface WorkflowTask {
  scheduledMs: number;
  startedMs: number;
  completedMs: number;
}

export function activityExecutions(run: RunHistory): ActivityExecution[] {
  const byScheduled = new Map<string, ActivityExecution>();
  for (const e of run.events) {
    const at = eventMs(e);
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      byScheduled.set(String(e.eventId), {
        type: s.activityType?.name ?? '?',
        scheduledMs: at,
        startedMs: NaN,
        closedMs: NaN,
        attempts: 0,
        heartbeatTimeoutMs: durationMs(s.heartbeatTimeout),
      });
    }
    const st = e.activityTaskStartedEventAttributes;
    const started = st && byScheduled.get(String(st.scheduledEventId));
    if (started) {
      started.startedMs = at;
      started.attempts = st.attempt ?? 1;
    }
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    const done = closed && byScheduled.get(String(closed.scheduledEventId));
    if (done) done.closedMs = at;
  }
  return [...byScheduled.values()];
}

export function workflowTasks(run: RunHistory): WorkflowTask[] {
  const out: WorkflowTask[] = [];
  let scheduled = NaN;
  let started = NaN;
  for (const e of run.events) {
    const at = eventMs(e);
    if (e.workflowTaskScheduledEventAttributes) scheduled = at;
    if (e.workflowTaskStartedEventAttributes) started = at;
    if (e.workflowTaskCompletedEventAttributes && !isNaN(started)) {
      out.push({ scheduledMs: scheduled, startedMs: started, completedMs: at });
      scheduled = started = NaN;
    }
  }
  return out;
}
