// What one benchmark run's history says: its size, its workflow tasks, and the Temporal Cloud actions
// it records, counted by the rule of Temporal Cloud's "Actions" page
// (https://docs.temporal.io/cloud/actions):
// - a workflow started: 1;
// - an activity: 1 per attempt (scheduled, then each retry);
// - local activities: 1 per workflow task that recorded any (all markers of one workflow task are one
//   action), plus 1 per local-activity attempt beyond the first (the task's metering metadata);
// - timers: 1 each;
// - activity heartbeats: 1 per heartbeat that reaches the server; they leave no event, so the caller
//   adds them from the server's counter.
import { temporal } from '@temporalio/proto';
import type { HistoryEvent } from './workflow-histories';

export interface HistoryFigures {
  events: number;
  /** The history as stored: its protobuf encoding. */
  bytes: number;
  workflowTasks: number;
  /** Workflow tasks that failed or timed out (none in a clean run). */
  workflowTasksLost: number;
  activityAttempts: number;
  markers: number;
  /** Workflow tasks that recorded at least one marker. */
  markerTasks: number;
  localActivityRetries: number;
  timers: number;
  /** Actions by the rule above, heartbeats not included. */
  actionsWithoutHeartbeats: number;
}

export function historyFigures(events: HistoryEvent[]): HistoryFigures {
  const bytes = temporal.api.history.v1.History.encode({ events }).finish().length;
  let workflowTasks = 0;
  let workflowTasksLost = 0;
  let activityAttempts = 0;
  let markers = 0;
  let localActivityRetries = 0;
  let timers = 0;
  let started = 0;
  const markerTasks = new Set<string>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) started++;
    const completed = e.workflowTaskCompletedEventAttributes;
    if (completed) {
      workflowTasks++;
      localActivityRetries += completed.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0;
    }
    if (e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes) workflowTasksLost++;
    if (e.activityTaskStartedEventAttributes)
      activityAttempts += e.activityTaskStartedEventAttributes.attempt ?? 1;
    const marker = e.markerRecordedEventAttributes;
    if (marker) {
      markers++;
      markerTasks.add(String(marker.workflowTaskCompletedEventId));
    }
    if (e.timerStartedEventAttributes) timers++;
  }
  return {
    events: events.length,
    bytes,
    workflowTasks,
    workflowTasksLost,
    activityAttempts,
    markers,
    markerTasks: markerTasks.size,
    localActivityRetries,
    timers,
    actionsWithoutHeartbeats: started + activityAttempts + markerTasks.size + localActivityRetries + timers,
  };
}
