// One sync, step by step, from its histories: each workflow type and each activity type it ran, in
// the order they first started, with how many, when (from the sync's start), and what they waited in
// task queues. For the incremental run, whose fixed chain of steps is most of its time, this shows
// which steps to cut.
import { activityExecutions, workflowTasks } from './activity-executions';
import { eventMs, RunHistory } from './workflow-histories';

export interface RunStep {
  kind: 'workflow' | 'activity';
  name: string;
  /** Workflow runs, or activities scheduled. */
  count: number;
  /** Activity attempts (retries count); for workflows, their workflow tasks. */
  attempts: number;
  /** From the sync's start to the first start of this step, and to the last end, ms. */
  firstStartMs: number;
  lastEndMs: number;
  /** Summed over the step: time in the task queue (scheduled to started), ms. */
  queuedMs: number;
  /** Summed over the step: activities' run time (started to closed), workflow tasks' processing, ms. */
  busyMs: number;
}

export interface RunSteps {
  /** The sync's start to its end, ms. */
  wallMs: number;
  /** Activity tasks' schedule-to-start latencies, summed, ms. */
  activityQueuedMs: number;
  /** Workflow tasks' schedule-to-start latencies, summed, ms. */
  workflowTaskQueuedMs: number;
  workflowTasks: number;
  steps: RunStep[];
}

const safe = (x: number) => (isFinite(x) ? x : 0);

export function runSteps(runs: RunHistory[]): RunSteps {
  const root = runs[0];
  const start = eventMs(root.events[0]);
  // The sync's end: the last event of its last run (the root id's runs, in the order they were found).
  const rootRuns = runs.filter((r) => r.workflowId === root.workflowId);
  const lastRun = rootRuns[rootRuns.length - 1];
  const end = eventMs(lastRun.events[lastRun.events.length - 1]);
  const steps = new Map<string, RunStep>();
  const step = (kind: RunStep['kind'], name: string) => {
    const key = `${kind}:${name}`;
    let s = steps.get(key);
    if (!s) {
      s = { kind, name, count: 0, attempts: 0, firstStartMs: Infinity, lastEndMs: 0, queuedMs: 0, busyMs: 0 };
      steps.set(key, s);
    }
    return s;
  };
  let activityQueuedMs = 0;
  let workflowTaskQueuedMs = 0;
  let taskCount = 0;
  for (const run of runs) {
    const w = step('workflow', run.workflowType);
    w.count++;
    w.firstStartMs = Math.min(w.firstStartMs, eventMs(run.events[0]) - start);
    w.lastEndMs = Math.max(w.lastEndMs, eventMs(run.events[run.events.length - 1]) - start);
    for (const t of workflowTasks(run)) {
      w.attempts++;
      taskCount++;
      w.queuedMs += safe(t.startedMs - t.scheduledMs);
      w.busyMs += safe(t.completedMs - t.startedMs);
      workflowTaskQueuedMs += safe(t.startedMs - t.scheduledMs);
    }
    for (const a of activityExecutions(run)) {
      const s = step('activity', a.type);
      s.count++;
      s.attempts += a.attempts;
      s.firstStartMs = Math.min(s.firstStartMs, (isNaN(a.startedMs) ? a.scheduledMs : a.startedMs) - start);
      s.lastEndMs = Math.max(s.lastEndMs, safe(a.closedMs - start));
      s.queuedMs += safe(a.startedMs - a.scheduledMs);
      s.busyMs += safe(a.closedMs - a.startedMs);
      activityQueuedMs += safe(a.startedMs - a.scheduledMs);
    }
  }
  return {
    wallMs: end - start,
    activityQueuedMs,
    workflowTaskQueuedMs,
    workflowTasks: taskCount,
    steps: [...steps.values()].sort((a, b) => a.firstStartMs - b.firstStartMs),
  };
}

/** The steps as log lines: "  +0.12 s → +1.40 s  activity fetchPage ×6 (6 attempts), queued 0.05 s, busy 2.31 s". */
export function stepLines(r: RunSteps): string[] {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return [
    `wall ${s(r.wallMs)} s; activities queued ${s(r.activityQueuedMs)} s in all, ` +
      `${r.workflowTasks} workflow tasks queued ${s(r.workflowTaskQueuedMs)} s in all`,
    ...r.steps.map(
      (x) =>
        `  +${s(x.firstStartMs)} s → +${s(x.lastEndMs)} s  ${x.kind} ${x.name} ×${x.count} ` +
        `(${x.attempts} ${x.kind === 'activity' ? 'attempts' : 'workflow tasks'}), queued ${s(x.queuedMs)} s, busy ${s(x.busyMs)} s`,
    ),
  ];
}
