// What Temporal itself costs a page, read from the histories of one sync (every run, see
// workflow-histories.ts):
// - dispatch: from a page activity being scheduled to a worker starting it;
// - workflow-task time per page: the time workflow tasks of the sync took, shared over its pages.
// Page activities are found by name: `fetchPage` (a page each) or `readPageRun` (many pages each).
import { activityExecutions, workflowTasks } from './activity-executions';
import type { RunHistory } from './workflow-histories';

const PAGE_ACTIVITIES = ['fetchPage', 'readPageRun'];

export interface TemporalCost {
  workflows: number;
  historyEvents: number;
  /** Page activities (completed). */
  pages: number;
  /** Median ms from a page activity being scheduled to its start on a worker. */
  dispatchMedianMs: number;
  dispatchP95Ms: number;
  /** Median ms a page activity ran (the request and its writes). */
  activityMedianMs: number;
  /** Workflow-task time of the whole sync (started to completed, summed), per page activity, ms. */
  workflowTaskMsPerPage: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function temporalCost(runs: RunHistory[]): TemporalCost {
  const dispatch: number[] = [];
  const running: number[] = [];
  let workflowTaskMs = 0;
  for (const run of runs) {
    for (const t of workflowTasks(run)) workflowTaskMs += t.completedMs - t.startedMs;
    for (const a of activityExecutions(run)) {
      if (!PAGE_ACTIVITIES.includes(a.type) || isNaN(a.closedMs) || isNaN(a.startedMs)) continue;
      dispatch.push(a.startedMs - a.scheduledMs);
      running.push(a.closedMs - a.startedMs);
    }
  }
  dispatch.sort((a, b) => a - b);
  running.sort((a, b) => a - b);
  return {
    workflows: runs.length,
    historyEvents: runs.reduce((n, r) => n + r.events.length, 0),
    pages: dispatch.length,
    dispatchMedianMs: quantile(dispatch, 0.5),
    dispatchP95Ms: quantile(dispatch, 0.95),
    activityMedianMs: quantile(running, 0.5),
    workflowTaskMsPerPage: dispatch.length ? workflowTaskMs / dispatch.length : NaN,
  };
}
