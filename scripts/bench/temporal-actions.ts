// What one sync would be billed in Temporal Cloud actions, counted from the histories of all its
// runs by event type and activity type name, so the count holds whatever the workflows do.
// Counted, after Temporal Cloud's list of actions: each workflow run started (the client's start, a
// child's, a continue-as-new), each activity attempt (ActivityTaskStarted's attempt: retries count),
// timers started, signals received, search-attribute upserts, markers (local activities, patches).
// Child starts are shown too but not added again: the child's run is a workflow started.
// Heartbeats leave no event: the SDK sends at most one per 0.8 × heartbeatTimeout (8 s for our 10 s),
// so each attempt is estimated at floor(duration / (0.8 × heartbeatTimeout)); an estimate only.
import { activityExecutions } from './activity-executions';
import { eventTypeName, RunHistory } from './workflow-histories';

export interface ActivityTypeActions {
  scheduled: number;
  attempts: number;
  heartbeatsEstimated: number;
}

export interface TemporalActions {
  workflowsStarted: number;
  childWorkflowsInitiated: number;
  continuedAsNew: number;
  activityAttempts: number;
  timers: number;
  signals: number;
  searchAttributeUpserts: number;
  markers: number;
  heartbeatsEstimated: number;
  /** The billable kinds above added up (child starts not twice). */
  total: number;
  byActivityType: Record<string, ActivityTypeActions>;
  /** Runs per workflow type. */
  byWorkflowType: Record<string, number>;
  /** Markers per name: local activities, patches (`core_patch`). */
  byMarkerName: Record<string, number>;
  /** Every history event type seen, counted: what the figures above are read from. */
  eventTypes: Record<string, number>;
}

/** Of the SDK's heartbeat throttle: at most one heartbeat per this share of the heartbeat timeout. */
const HEARTBEAT_THROTTLE = 0.8;

export function countActions(runs: RunHistory[]): TemporalActions {
  const eventTypes: Record<string, number> = {};
  const byActivityType: Record<string, ActivityTypeActions> = {};
  const byWorkflowType: Record<string, number> = {};
  const byMarkerName: Record<string, number> = {};
  for (const run of runs) {
    byWorkflowType[run.workflowType] = (byWorkflowType[run.workflowType] ?? 0) + 1;
    for (const e of run.events) {
      const name = eventTypeName(e);
      eventTypes[name] = (eventTypes[name] ?? 0) + 1;
      const marker = e.markerRecordedEventAttributes?.markerName;
      if (marker) byMarkerName[marker] = (byMarkerName[marker] ?? 0) + 1;
    }
    for (const a of activityExecutions(run)) {
      const t = (byActivityType[a.type] ??= { scheduled: 0, attempts: 0, heartbeatsEstimated: 0 });
      t.scheduled++;
      t.attempts += a.attempts;
      const every = HEARTBEAT_THROTTLE * a.heartbeatTimeoutMs;
      const ran = a.closedMs - a.startedMs;
      if (every > 0 && ran > 0) t.heartbeatsEstimated += Math.floor(ran / every);
    }
  }
  const n = (type: string) => eventTypes[type] ?? 0;
  const sum = (f: (t: ActivityTypeActions) => number) =>
    Object.values(byActivityType).reduce((s, t) => s + f(t), 0);
  const counted = {
    workflowsStarted: n('WorkflowExecutionStarted'),
    childWorkflowsInitiated: n('StartChildWorkflowExecutionInitiated'),
    continuedAsNew: n('WorkflowExecutionContinuedAsNew'),
    activityAttempts: sum((t) => t.attempts),
    timers: n('TimerStarted'),
    signals: n('WorkflowExecutionSignaled'),
    searchAttributeUpserts: n('UpsertWorkflowSearchAttributes'),
    markers: n('MarkerRecorded'),
    heartbeatsEstimated: sum((t) => t.heartbeatsEstimated),
  };
  const total =
    counted.workflowsStarted +
    counted.activityAttempts +
    counted.timers +
    counted.signals +
    counted.searchAttributeUpserts +
    counted.markers +
    counted.heartbeatsEstimated;
  return { ...counted, total, byActivityType, byWorkflowType, byMarkerName, eventTypes };
}
