// `npm run start-sync -- release-stuck [ID] [--yes]`: ends the sync runs that hold stuck workflows
// (client/stuck-runs.ts), so their resources' locks are free and the next run can go.
//
// Why this is safe for what users read:
// - The cursor (_sync_cursors) moves only in the resource workflow's last step, after a complete
//   read and its deletions; a run ended before that leaves the old cursor, and the next run reads
//   that stretch again (rows are versioned, so a second write of a record changes nothing).
// - Deletions are marked by one activity from this run's own complete reads; every marker it writes
//   is a real deletion. It is waited for (below) before the run is ended, so it never runs beside the
//   next run, which marks from its own reads only.
// - The run could not write its sync_runs rows: this writes them, saying why it ended.
import { Client, WorkflowExecutionDescription, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ClickHouseClient } from '@clickhouse/client';
import { insertRunRows } from '../clickhouse/run-history';
import { runRowsOf } from '../domain/run-rows';
import { emptyTotals } from '../domain/totals';
import type { Destination, ResourceSummary, SyncInput } from '../domain/types';
import { destinationKey, resourceWorkflowId } from '../domain/workflow-ids';
import { connectClickHouse } from '../clickhouse/connection';
import { clickHouseSettings, destinationOf } from '../config/settings';
import type { TemporalSettings } from '../config/temporal-settings';
import { reachClickHouse } from './clickhouse-reach';
import { EXIT, printedHelp, UsageError } from './exit-codes';
import { findStuckRuns, openRunsQuery, StuckRun } from './stuck-runs';
import { formatStuckRuns } from './status';
import { queryProgress } from './progress-query';
import { syncProgressQuery } from '../workflows';
import { connectTemporal } from './temporal-connection';

export const RELEASE_STUCK_USAGE = `Usage: npm run start-sync -- release-stuck [ID] [--yes]

Ends the sync runs whose workflows are stuck (shown by \`start-sync -- status\`): their workflow task
keeps failing, so they never end and hold their resources' locks. Each stuck run's sync run (its
root workflow) is terminated, and with it every workflow it started; then this waits until their
locks are free and writes the run's sync_runs rows. The cursor stays where the last complete run
left it: the next run reads that stretch again, exact.

  ID      only the stuck run with this workflow id, run id, or sync run id
  --yes   end them; without it, only print what would be ended

Exit codes: 0 done (or nothing stuck), 1 failed, 2 bad argument or ID not stuck, 3 Temporal or
ClickHouse unreachable.`;

export interface ReleaseArgs {
  only?: string;
  yes: boolean;
  help: boolean;
}

export function parseReleaseArgs(argv: string[]): ReleaseArgs {
  const args: ReleaseArgs = { yes: false, help: false };
  for (const arg of argv) {
    if (arg === '--yes') args.yes = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg.startsWith('-'))
      throw new UsageError(`release-stuck: unknown option ${arg} (known: --yes --help)`);
    else if (args.only !== undefined) throw new UsageError('release-stuck takes one ID at most');
    else args.only = arg;
  }
  return args;
}

/** A sync run to end: its root workflow and the stuck workflows under it. */
export interface Release {
  root: { workflowId: string; runId: string };
  stuck: StuckRun[];
}

/** The stuck runs grouped by the sync run they belong to; `only` picks one by any of its ids. */
export function releasesOf(stuck: StuckRun[], only?: string): Release[] {
  const picked = only
    ? stuck.filter((s) => [s.workflowId, s.runId, s.root.workflowId, s.root.runId].includes(only))
    : stuck;
  if (only && picked.length === 0) throw new UsageError(`release-stuck: no stuck run has the id ${only}`);
  const byRoot = new Map<string, Release>();
  for (const s of picked) {
    const key = `${s.root.workflowId}\0${s.root.runId}`;
    const release = byRoot.get(key) ?? { root: s.root, stuck: [] };
    release.stuck.push(s);
    byRoot.set(key, release);
  }
  return [...byRoot.values()];
}

export interface ReleaseDeps {
  client: Client;
  taskQueue: string;
  /** Where this deployment writes: sync_runs rows are written for runs into it. */
  ch: ClickHouseClient;
  destination: Destination;
  cluster?: string;
  say: (line: string) => void;
}

const { PendingActivityState } = temporal.api.enums.v1;
/** How long to wait for a stuck workflow's running activity (markDeletions, say) to end. */
const ACTIVITY_WAIT_MS = 10 * 60_000;
/** How long the parent close policy may take to end the run's children. */
const LOCK_WAIT_MS = 60_000;
const POLL_MS = 500;

/** Ends one sync run and waits until its workflows' locks are free. */
export async function release(deps: ReleaseDeps, r: Release): Promise<void> {
  const { client, say } = deps;
  const rootHandle = client.workflow.getHandle(r.root.workflowId, r.root.runId);
  const root = await rootHandle.describe();
  // Every open workflow of the run holds its id: all are waited for once the root has ended.
  const open = await openTree(client, deps.taskQueue, r);
  for (const s of r.stuck) await waitForRunningActivities(client, s, say);
  const rows = await runRowsBeforeEnd(deps, root, r);
  const reason =
    `release-stuck: ${r.stuck.map((s) => `${s.type} ${s.workflowId}`).join(', ')} stuck since ` +
    `${r.stuck[0].since.toISOString()}: ${r.stuck[0].reason}`;
  try {
    await rootHandle.terminate(reason.slice(0, 1000));
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  say(`terminated ${root.type} ${r.root.workflowId} (run ${r.root.runId})`);
  await until(
    async () => {
      for (const w of open) {
        const d = await client.workflow.getHandle(w.workflowId, w.runId).describe();
        if (d.status.name === 'RUNNING') return false;
      }
      return true;
    },
    LOCK_WAIT_MS,
    () => `the workflows of ${r.root.workflowId} still run ${LOCK_WAIT_MS / 1000} s after it was terminated`,
  );
  say(`  locks free: ${open.map((w) => w.workflowId).join(', ')}`);
  if (rows) {
    await insertRunRows(deps.ch, deps.destination.database, rows, deps.cluster);
    say(`  recorded in sync_runs: ${rows.map((row) => `${row.resource} ${row.outcome}`).join(', ')}`);
  }
}

/** The open workflows of the run: the root, what visibility lists under it, and the stuck ones. */
async function openTree(
  client: Client,
  taskQueue: string,
  r: Release,
): Promise<{ workflowId: string; runId: string }[]> {
  const tree = new Map<string, { workflowId: string; runId: string }>();
  const add = (w: { workflowId: string; runId: string }) => tree.set(`${w.workflowId}\0${w.runId}`, w);
  add(r.root);
  r.stuck.forEach(add);
  const query = `${openRunsQuery(taskQueue)} AND RootWorkflowId = '${r.root.workflowId.replace(/'/g, "\\'")}'`;
  for await (const w of client.workflow.list({ query })) {
    if (w.rootExecution?.runId === r.root.runId) add(w);
  }
  return [...tree.values()];
}

/**
 * A stuck workflow cannot start activities, but one it started before may still run (markDeletions,
 * say). Ended runs' activities are not stopped; waiting keeps them from running beside the next run.
 */
async function waitForRunningActivities(client: Client, s: StuckRun, say: (line: string) => void) {
  let told = false;
  await until(
    async () => {
      const d = await client.workflow.getHandle(s.workflowId, s.runId).describe();
      const running = (d.raw.pendingActivities ?? []).filter(
        (a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
      );
      if (running.length && !told) {
        say(`  waiting for ${running.map((a) => a.activityType?.name).join(', ')} of ${s.workflowId} to end`);
        told = true;
      }
      return running.length === 0;
    },
    ACTIVITY_WAIT_MS,
    () => `an activity of ${s.workflowId} still runs; try again once it ended`,
  );
}

/**
 * The run's sync_runs rows as it ends: what its root workflow reports of each resource, the rest
 * failed with the reason. None when it is no sync run, or it writes to another destination.
 */
async function runRowsBeforeEnd(deps: ReleaseDeps, root: WorkflowExecutionDescription, r: Release) {
  if (root.type !== 'syncWorkflow') return undefined;
  const history = await deps.client.workflow.getHandle(r.root.workflowId, r.root.runId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  const input = defaultPayloadConverter.fromPayload<SyncInput>(payload);
  if (destinationKey(input.destination) !== destinationKey(deps.destination)) {
    deps.say(`  not recorded in sync_runs: the run writes to ${destinationKey(input.destination)}`);
    return undefined;
  }
  const now = Date.now();
  const startedAt = root.startTime.getTime();
  // The root answers queries unless it is itself stuck.
  const progress = r.stuck.some((s) => s.workflowId === r.root.workflowId)
    ? undefined
    : await queryProgress(
        deps.client.workflow.getHandle(r.root.workflowId, r.root.runId),
        syncProgressQuery,
      ).catch(() => undefined);
  const resources: ResourceSummary[] = input.resources.map((name) => {
    const known = progress?.find((p) => p.resource === name);
    if (known && known.finishedAt > 0) return known;
    const lock = resourceWorkflowId(input.destination, name);
    const stuck = r.stuck.find((s) => s.workflowId === lock || s.workflowId.startsWith(`${lock}/`));
    return {
      resource: name,
      ok: false,
      ...emptyTotals(),
      ...(known ? { ...known, ok: false } : {}),
      rereads: known?.rereads ?? [],
      degraded: known?.degraded ?? [],
      notes: known?.notes ?? [],
      error: `ended by release-stuck: ${stuck ? stuck.reason : 'its run had a stuck workflow'}`,
      startedAt: known?.startedAt ?? startedAt,
      finishedAt: now,
    };
  });
  const summary = {
    syncId: r.root.workflowId,
    mode: input.mode,
    destination: input.destination,
    outcome: 'failed' as const,
    resources,
    startedAt,
    finishedAt: now,
  };
  return runRowsOf(summary, input.trigger ?? 'hand');
}

async function until(done: () => Promise<boolean>, limitMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The command: finds the stuck runs, and with --yes ends their sync runs one by one. */
export async function releaseStuckCommand(
  argv: string[],
  vars: Record<string, string>,
  temporalSettings: TemporalSettings,
): Promise<number> {
  const args = parseReleaseArgs(argv);
  if (printedHelp(args, RELEASE_STUCK_USAGE)) return EXIT.OK;
  const settings = clickHouseSettings(vars);
  const connection = await connectTemporal(temporalSettings);
  const ch = connectClickHouse(settings);
  try {
    await reachClickHouse(ch, vars);
    const client = new Client({ connection, namespace: temporalSettings.namespace });
    const stuck = await findStuckRuns(client, temporalSettings.taskQueue);
    const releases = releasesOf(stuck, args.only);
    if (releases.length === 0) {
      console.log(`no stuck runs on task queue ${temporalSettings.taskQueue}`);
      return EXIT.OK;
    }
    for (const line of formatStuckRuns(
      releases.flatMap((r) => r.stuck),
      false,
    ))
      console.log(line);
    if (!args.yes) {
      console.log(
        `nothing ended: with --yes this terminates ${releases.map((r) => r.root.workflowId).join(', ')}`,
      );
      return EXIT.OK;
    }
    const deps: ReleaseDeps = {
      client,
      taskQueue: temporalSettings.taskQueue,
      ch,
      destination: destinationOf(vars),
      cluster: settings.cluster,
      say: (line) => console.log(line),
    };
    for (const r of releases) await release(deps, r);
    console.log("done: the next run of these resources starts from the last complete run's cursor");
    return EXIT.OK;
  } finally {
    await ch.close();
    await connection.close();
  }
}
