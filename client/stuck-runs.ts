// Open runs of our workflows that cannot make progress: their workflow task keeps failing (a
// nondeterminism error after an incompatible deploy, a bug in workflow code). Such a run never ends on
// its own, and as a resource sync its workflow id holds that resource's lock (domain/workflow-ids.ts).
// One place for what "stuck" means: `start-sync -- status` shows them, `release-stuck` ends them.
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { optionalTsToMs } from '@temporalio/common/lib/time';

/** Every workflow type the worker runs (workflows/index.ts). */
export const SYNC_WORKFLOW_TYPES = ['syncWorkflow', 'syncResourceWorkflow', 'readPartWorkflow'] as const;

/**
 * A workflow task on its 3rd attempt or later has failed twice. The first failure may be a blip (the
 * worker that held it stopped, the task timed out); the SDK then drops the run from its cache and the
 * next attempt replays the whole history afresh, so a second failure is the code itself. (The SDK
 * reports only a first attempt's failure to the server: later attempts end by the task's 10 s
 * timeout, so a stuck run reaches attempt 3 some 10 s after its first failure.)
 */
export const STUCK_TASK_ATTEMPTS = 3;

export interface StuckRun {
  workflowId: string;
  runId: string;
  type: string;
  /** The sync run (the workflow without a parent) this run belongs to; itself when it has none. */
  root: { workflowId: string; runId: string };
  /** Since when it has been stuck. */
  since: Date;
  /** Attempts of its current workflow task (0 when the reason is not a failing task). */
  attempts: number;
  /** Why, in one line. */
  reason: string;
}

/** What a check found: the run is stuck since `since`, for `reason`. */
export interface StuckVerdict {
  since: Date;
  attempts: number;
  reason: string;
}

/** One way a run can be stuck; each check looks at the run's description (and its history if needed). */
export type StuckCheck = (
  client: Client,
  run: WorkflowExecutionDescription,
) => Promise<StuckVerdict | undefined>;

/** The workflow task keeps failing: its attempt count, and the failure the history recorded. */
export const failingWorkflowTask: StuckCheck = async (client, run) => {
  const task = run.raw.pendingWorkflowTask;
  const attempts = task?.attempt ?? 0;
  if (attempts < STUCK_TASK_ATTEMPTS) return undefined;
  // Only the first failure of a streak is in the history (later attempts are not recorded), and the
  // task's own times are its current attempt's: the failure's time is when the run got stuck.
  const failure = await lastTaskFailure(client, run.workflowId, run.runId);
  const since = failure?.at ?? optionalTsToMs(task?.originalScheduledTime) ?? Date.now();
  return {
    since: new Date(since),
    attempts,
    reason: `workflow task failing (attempt ${attempts}): ${failure?.text ?? 'the task times out'}`,
  };
};

/** The checks, in order; the first that finds a run stuck names the reason. */
export const STUCK_CHECKS: StuckCheck[] = [failingWorkflowTask];

/** A Temporal list query for the open runs of our workflow types on `taskQueue`. */
export function openRunsQuery(taskQueue: string): string {
  const types = SYNC_WORKFLOW_TYPES.map((t) => `'${t}'`).join(', ');
  return `ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}' AND WorkflowType IN (${types})`;
}

/** The stuck runs among the open runs of our workflow types on `taskQueue` (the client's namespace). */
export async function findStuckRuns(
  client: Client,
  taskQueue: string,
  checks: StuckCheck[] = STUCK_CHECKS,
): Promise<StuckRun[]> {
  const stuck: StuckRun[] = [];
  for await (const info of client.workflow.list({ query: openRunsQuery(taskQueue) })) {
    const run = await client.workflow.getHandle(info.workflowId, info.runId).describe();
    if (run.status.name !== 'RUNNING') continue;
    for (const check of checks) {
      const verdict = await check(client, run);
      if (!verdict) continue;
      stuck.push({
        workflowId: run.workflowId,
        runId: run.runId,
        type: run.type,
        root: await rootOf(client, run),
        ...verdict,
      });
      break;
    }
  }
  return stuck.sort((a, b) => a.since.getTime() - b.since.getTime());
}

/** The run without a parent above `run`: the server's root when it tells it, else up the parent chain. */
async function rootOf(
  client: Client,
  run: WorkflowExecutionDescription,
): Promise<{ workflowId: string; runId: string }> {
  const root = run.rootExecution;
  if (root?.workflowId && root.runId) return { workflowId: root.workflowId, runId: root.runId };
  let current = run;
  for (let parent = current.parentExecution; parent?.workflowId; parent = current.parentExecution) {
    current = await client.workflow.getHandle(parent.workflowId, parent.runId ?? undefined).describe();
  }
  return { workflowId: current.workflowId, runId: current.runId };
}

const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;
/** History pages read back from the end looking for the failure (a stuck run's is near the end). */
const FAILURE_SEARCH_PAGES = 5;
const REASON_MAX_CHARS = 240;

/** The last failed workflow task: when, and "non deterministic error: [TMPRL1100] Nondeterminism error: ...". */
export async function lastTaskFailure(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<{ at?: number; text: string } | undefined> {
  let nextPageToken: Uint8Array | undefined;
  for (let page = 0; page < FAILURE_SEARCH_PAGES; page++) {
    const res = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 100,
      nextPageToken,
    });
    for (const event of res.history?.events ?? []) {
      if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
      const attrs = event.workflowTaskFailedEventAttributes;
      return {
        at: optionalTsToMs(event.eventTime),
        text: describeTaskFailure(attrs?.cause ?? 0, attrs?.failure?.message ?? ''),
      };
    }
    if (!res.nextPageToken?.length) return undefined;
    nextPageToken = res.nextPageToken;
  }
  return undefined;
}

/** A failure's cause and the first line of its message, never more than one line. */
export function describeTaskFailure(cause: number, message: string): string {
  const name = (WorkflowTaskFailedCause[cause] ?? 'UNSPECIFIED')
    .replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
  const line = `${name}: ${message.split('\n')[0].trim()}`;
  return line.length > REASON_MAX_CHARS ? `${line.slice(0, REASON_MAX_CHARS - 3)}...` : line;
}
