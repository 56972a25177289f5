// `npm run record-histories [-- --drop-previous]`: records the workflow histories that
// test/unit/replay-histories.test.ts replays, into test/histories/ (when to, and when not to:
// test/histories/README.md). Run it by hand only; the tests never record.
//
// It needs the services of `npm run services:start` (Temporal at TEMPORAL_ADDRESS, ClickHouse), and
// starts the rest in this process as the end-to-end tests do (test/e2e/harness.ts): the local API
// server with a small dataset, a worker on a task queue of its own, a ClickHouse database of its own
// (dropped at the end), and for the continue-as-new scenario a Temporal dev server of its own. Each
// scenario runs one sync (the webhook scenario: the destination's changes workflow, which starts one);
// its history and those of every workflow it started (syncs, resource syncs, their parts, every run
// that continued as new) are written to test/histories/<scenario>/, listed in
// test/histories/manifest.json with the commit and the date they were recorded with.
//
// Before writing, each scenario's histories must show the path it is for (SCENARIOS in
// test/recorded-histories.ts), and none may hold the API key (in any form) or a record of the dataset.
// The set recorded before is moved to test/histories/kept/<its commit>/ (replayed too, so that runs
// of that build still open stay covered) unless its workflow code is the same as now, or
// --drop-previous says its runs are all closed.
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { scheduleDefs, scheduleOptions } from '../client/schedules';
import { startSync } from '../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../client/sync-request';
import { changesInputFromSettings } from '../client/webhooks';
import { PROJECT_ROOT } from '../config/settings';
import { RESOURCES_KEY } from '../domain/search-attributes';
import type { ChangesInput } from '../domain/changes';
import type { SyncInput } from '../domain/types';
import { changesWorkflowId, destinationKey } from '../domain/workflow-ids';
import { sourcesBuildId } from '../worker/build-id';
import { startContinueAsNewTemporal, temporalOf } from '../test/e2e/continue-as-new-server';
import { CREDENTIALS, Harness, startHarness } from '../test/e2e/harness';
import {
  HISTORIES_DIR,
  KEPT_DIR,
  MANIFEST,
  Manifest,
  ManifestEntry,
  readManifest,
  RecordedHistory,
  SCENARIOS,
} from '../test/recorded-histories';
import { historyToJSON } from '../test/history-json';
import { secretForms } from '../test/secret-forms';
import { changesWorkflow, webhookEventsSignal } from '../workflows';

const HELP = `Usage: npm run record-histories [-- --drop-previous]

Records the histories of every scenario in test/recorded-histories.ts into test/histories/, with the
services of npm run services:start running. Read test/histories/README.md first: never record to make
a failing replay pass.

  --drop-previous   do not keep the set recorded before (all runs of that build are closed)
`;

const year = new Date().getUTCFullYear();
/** Small: the histories are committed. Five items a page still gives several pages a part. */
const SIZE = {
  customers: 12,
  projects: 8,
  absencesPerYear: 3,
  entries: 120,
  users: 2,
  years: [year - 1, year],
};
/** A list, a partitioned resource and a windowed one: each kind of part. */
const RESOURCES = 'customers,absences,entries';
/** How long an execution may take to close once its scenario is done. */
const CLOSE_WAIT_MS = 120_000;

interface Execution {
  workflowId: string;
  runId: string;
}

/** A scenario: runs its sync (or changes workflow) on the harness and returns that execution. */
type Run = (h: Harness) => Promise<Execution>;

function inputOf(h: Harness, argv: string[]): SyncInput {
  return syncInputFromSettings(h.vars, parseSyncArgs(argv));
}

/** Starts a sync as start-sync does; the execution is recorded whatever its outcome. */
async function started(h: Harness, input: SyncInput): Promise<WorkflowHandleWithFirstExecutionRunId> {
  return startSync(h.client, input, { taskQueue: h.taskQueue });
}

async function sync(h: Harness, argv: string[], edit?: (input: SyncInput) => void): Promise<Execution> {
  const input = inputOf(h, argv);
  edit?.(input);
  const handle = await started(h, input);
  await closed(handle);
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function closed(handle: WorkflowHandle): Promise<void> {
  for (const deadline = Date.now() + CLOSE_WAIT_MS; Date.now() < deadline; await sleep(200)) {
    if ((await handle.describe()).status.name !== 'RUNNING') return;
  }
  throw new Error(`${handle.workflowId} still runs after ${CLOSE_WAIT_MS / 1000} s`);
}

const MAIN_SCENARIOS: [string, Run][] = [
  ['full-refresh', (h) => sync(h, ['--full-refresh', '--resources', RESOURCES])],
  // After the full refresh, so the windowed resource has a cursor to read.
  ['incremental', (h) => sync(h, ['--resources', RESOURCES])],
  ['reconcile', (h) => sync(h, ['--reconcile', '--resources', 'entries'])],
  [
    'degraded',
    async (h) => {
      // Page 1 declares two pages and holds nothing, at every read: never consistent.
      const emptyPage1 = JSON.stringify({
        paging: { items_per_page: 5, current_page: 1, count_pages: 2, count_items: 10 },
        customers: [],
      });
      h.api.injectFault({ status: 200, times: 3, pathPrefix: '/v2/customers', body: emptyPage1 });
      try {
        return await sync(h, ['--resources', 'customers']);
      } finally {
        h.api.clearFaults();
      }
    },
  ],
  [
    'held-back',
    async (h) => {
      const all = h.api.dataset.customers;
      h.api.dataset.customers = all.slice(0, 3);
      try {
        return await sync(h, ['--resources', 'customers']);
      } finally {
        h.api.dataset.customers = all;
      }
    },
  ],
  [
    'second-chance',
    (h) => {
      // Every attempt of page 1's series (the configuration's 3 retries), then the second chance is served.
      h.api.injectFault({ status: 503, times: 4, pathPrefix: '/v2/customers' });
      return sync(h, ['--resources', 'customers'], (input) => (input.options.secondChanceDelayMs = 1000));
    },
  ],
  [
    'failed',
    (h) => {
      h.api.injectFault({ status: 502, times: 8, pathPrefix: '/v2/customers' });
      return sync(h, ['--resources', 'customers'], (input) => (input.options.secondChanceDelayMs = 1000));
    },
  ],
  [
    'cancelled',
    async (h) => {
      h.api.injectFault({ kind: 'stall-headers', times: 1000, pathPrefix: '/v2/entries', stallMs: 3000 });
      const from = h.api.requestLog.length;
      try {
        const handle = await started(h, inputOf(h, ['--resources', 'customers,entries']));
        for (let i = 0; !h.api.requestLog.slice(from).some((r) => r.fault === 'stall-headers'); i++) {
          if (i > 600) throw new Error('no entries page was requested');
          await sleep(100);
        }
        await handle.cancel();
        await closed(handle);
        return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
      } finally {
        h.api.clearFaults();
      }
    },
  ],
  ['scheduled', scheduledRun],
  ['webhook', webhookRun],
];

/** A run started by a Temporal Schedule as `npm run schedule -- apply` makes it (hourly: triggered here). */
async function scheduledRun(h: Harness): Promise<Execution> {
  const vars = {
    ...h.vars,
    SCHEDULE_ID_PREFIX: `histories-${h.taskQueue}`,
    SCHEDULE_INCREMENTAL: 'every 1h',
  };
  const options = scheduleOptions(scheduleDefs(vars)[0], vars);
  if (options.action.type !== 'startWorkflow') throw new Error('the schedule starts no workflow');
  (options.action.args?.[0] as SyncInput).resources = ['customers'];
  options.action.typedSearchAttributes = [{ key: RESOURCES_KEY, value: ['customers'] }];
  const schedule = await h.client.schedule.create(options);
  try {
    await schedule.trigger();
    for (let i = 0; i < 600; i++) {
      const run = (await schedule.describe()).info.recentActions[0]?.action.workflow;
      if (!run) {
        await sleep(100);
        continue;
      }
      await closed(h.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId));
      return { workflowId: run.workflowId, runId: run.firstExecutionRunId };
    }
    throw new Error('the schedule started no run');
  } finally {
    await schedule.delete();
  }
}

/** The receiver's token for the webhook scenario: it must never reach Temporal (checked as a secret). */
const WEBHOOK_TOKEN = 'recording-token-0123456789';

/**
 * Webhook events as the receiver sends them (client/webhook-signaller.ts): a signal-with-start of the
 * destination's changes workflow, which syncs the resources they name and, idle, completes.
 */
async function webhookRun(h: Harness): Promise<Execution> {
  const input: ChangesInput = {
    ...changesInputFromSettings({ ...h.vars, WEBHOOK_TOKEN }),
    // Short, so that the run completes soon after its sync (the settings allow 1m at least).
    idleMs: 2000,
    debounceMs: 500,
  };
  const handle = await h.client.workflow.signalWithStart(changesWorkflow, {
    workflowId: changesWorkflowId(h.destination),
    taskQueue: h.taskQueue,
    args: [input],
    signal: webhookEventsSignal,
    signalArgs: [
      [
        { resource: 'entries', event: 'entry.updated', count: 3, at: Date.now() },
        { resource: 'customers', event: 'customer.updated', count: 1, at: Date.now() },
      ],
    ],
    staticSummary: `Clockodo webhook changes into ${destinationKey(h.destination)}`,
  });
  await closed(handle);
  return { workflowId: handle.workflowId, runId: handle.signaledRunId };
}

async function continueAsNewRun(h: Harness): Promise<Execution> {
  return sync(h, ['--resources', 'entries'], (input) => {
    const inc = input.config.resources.find((r) => r.name === 'entries')?.endpoint.incremental_sync;
    // One window a year, read one page per page run: each part has enough runs to continue as new.
    if (inc) inc.slice_days = 400;
    input.options.pageRunBudget = { records: 10, seconds: 30 };
  });
}

/**
 * The execution and every one it started, children and continued runs alike, each closed: from a sync
 * its resource syncs and their parts; from a changes workflow its syncs (`<changes id>/sync-…`) and theirs.
 */
async function executionsFrom(
  client: Client,
  root: Execution,
): Promise<Omit<RecordedHistory, 'scenario' | 'file'>[]> {
  const found = [];
  for (const queue = [root]; queue.length > 0;) {
    const { workflowId, runId } = queue.shift() as Execution;
    const handle = client.workflow.getHandle(workflowId, runId);
    await closed(handle);
    const history: History = await handle.fetchHistory();
    const events = history.events ?? [];
    const workflowType = events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
    found.push({ workflowId, runId, workflowType, history });
    for (const e of events) {
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId && child.runId) queue.push({ workflowId: child.workflowId, runId: child.runId });
      const next = e.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (next) queue.push({ workflowId, runId: next });
    }
  }
  return found;
}

/** A file name from the workflow id, without the destination every id of a run shares. */
function fileName(i: number, type: string, workflowId: string, h: Harness): string {
  const resourcePrefix = h.resourceId('');
  const changesId = changesWorkflowId(h.destination);
  const label =
    workflowId === changesId
      ? 'changes'
      : workflowId.startsWith(`${changesId}/`)
        ? workflowId.slice(changesId.length + 1)
        : workflowId.startsWith(resourcePrefix)
          ? workflowId.slice(resourcePrefix.length)
          : 'sync';
  const short = type.replace(/Workflow$/, '');
  return `${String(i + 1).padStart(2, '0')}-${short}-${label.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`;
}

async function record(h: Harness, scenarios: [string, Run][]): Promise<RecordedHistory[]> {
  const recorded: RecordedHistory[] = [];
  for (const [scenario, run] of scenarios) {
    const root = await run(h);
    const executions = await executionsFrom(h.client, root);
    executions.forEach((x, i) =>
      recorded.push({
        ...x,
        scenario,
        file: `${scenario}/${fileName(i, x.workflowType, x.workflowId, h)}`,
      }),
    );
    console.log(`${scenario}: ${executions.length} histories`);
  }
  return recorded;
}

/** The text of a history file and every payload in it, decoded (payloads are Base64 in the JSON). */
function textsOf(json: string): string[] {
  const payloads = [...json.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1], 'base64').toString('utf8'),
  );
  return [json, ...payloads];
}

/**
 * What a history must not hold: the key in any form, the Basic auth header, the webhook token, the
 * dataset's records.
 */
function forbidden(h: Harness): string[] {
  const { dataset } = h;
  const records = [
    ...dataset.customers.map((c) => c.name),
    ...dataset.projects.map((p) => p.name),
    ...dataset.entries.map((e) => ('text' in e ? e.text : null)),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 8);
  return [
    ...secretForms(CREDENTIALS.apiKey),
    ...secretForms(`${CREDENTIALS.email}:${CREDENTIALS.apiKey}`),
    ...secretForms(WEBHOOK_TOKEN),
    ...new Set(records),
  ];
}

function check(recorded: RecordedHistory[], forbiddenTexts: string[]): void {
  const problems: string[] = [];
  for (const s of SCENARIOS) {
    if (!s.taken(recorded.filter((r) => r.scenario === s.scenario)))
      problems.push(`${s.scenario}: not shown: ${s.shows}`);
  }
  for (const r of recorded) {
    const texts = textsOf(historyToJSON(r.history));
    const found = forbiddenTexts.find((f) => texts.some((t) => t.includes(f)));
    if (found)
      problems.push(
        `${r.file} holds ${found === CREDENTIALS.apiKey ? 'the API key' : JSON.stringify(found)}`,
      );
  }
  if (problems.length) throw new Error(`the recording is not fit to keep:\n  ${problems.join('\n  ')}`);
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
const CODE = ['workflows', 'domain', 'config', 'activities', 'clickhouse', 'package-lock.json'];

/** Moves the set recorded before out of the way: into kept/, or gone with --drop-previous. */
function setAsidePrevious(dropPrevious: boolean, workflowSources: string): void {
  if (!existsSync(path.join(HISTORIES_DIR, MANIFEST))) return;
  const previous = readManifest(HISTORIES_DIR);
  const folders = [...new Set(previous.histories.map((e) => e.file.split('/')[0]))];
  const keep = !dropPrevious && previous.recordedWith.workflowSources !== workflowSources;
  const target = path.join(KEPT_DIR, previous.recordedWith.commit.slice(0, 12));
  if (keep) mkdirSync(target, { recursive: true });
  for (const f of [...folders, MANIFEST]) {
    if (!existsSync(path.join(HISTORIES_DIR, f))) continue;
    if (keep) renameSync(path.join(HISTORIES_DIR, f), path.join(target, f));
    else rmSync(path.join(HISTORIES_DIR, f), { recursive: true, force: true });
  }
  if (keep) console.log(`kept the previous set in ${path.relative(PROJECT_ROOT, target)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return void console.log(HELP);
  const unknown = args.filter((a) => a !== '--drop-previous');
  if (unknown.length) throw new Error(`unknown argument ${unknown[0]}\n\n${HELP}`);

  const recorded: RecordedHistory[] = [];
  const forbiddenTexts: string[] = [];
  let temporalServer: string;
  const h = await startHarness({ size: SIZE, maxItemsPerPage: 5 });
  try {
    temporalServer = (await h.client.workflowService.getSystemInfo({})).serverVersion ?? '';
    recorded.push(...(await record(h, MAIN_SCENARIOS)));
    forbiddenTexts.push(...forbidden(h));
  } finally {
    await h.close();
  }
  const env = await startContinueAsNewTemporal();
  try {
    const can = await startHarness({
      size: { ...SIZE, entries: 200, years: [year - 1, year] },
      maxItemsPerPage: 10,
      temporal: temporalOf(env),
    });
    try {
      recorded.push(...(await record(can, [['continue-as-new', continueAsNewRun]])));
      forbiddenTexts.push(...forbidden(can));
    } finally {
      await can.close();
    }
  } finally {
    await env.teardown();
  }
  check(recorded, forbiddenTexts);

  const workflowSources = sourcesBuildId();
  setAsidePrevious(args.includes('--drop-previous'), workflowSources);
  const manifest: Manifest = {
    recordedWith: {
      commit: git('rev-parse', 'HEAD'),
      sourcesChanged: git('status', '--porcelain', '--', ...CODE) !== '',
      workflowSources,
      date: new Date().toISOString(),
      sdk: (
        JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as {
          version: string;
        }
      ).version,
      temporalServer,
    },
    histories: recorded.map((r): ManifestEntry => ({
      scenario: r.scenario,
      file: r.file,
      workflowType: r.workflowType,
      workflowId: r.workflowId,
      runId: r.runId,
    })),
  };
  for (const r of recorded) {
    const file = path.join(HISTORIES_DIR, r.file);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, historyToJSON(r.history) + '\n');
  }
  writeFileSync(path.join(HISTORIES_DIR, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  console.log(
    `${recorded.length} histories of ${SCENARIOS.length} scenarios in ${path.relative(PROJECT_ROOT, HISTORIES_DIR)}`,
  );
}

main().catch((err: unknown) => {
  console.error((err as Error).stack ?? String(err));
  process.exit(1);
});
