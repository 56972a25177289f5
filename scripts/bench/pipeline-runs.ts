// The pipeline's loads at one size: a full sync into an empty database (it reads the whole history,
// as a user's first sync does), then an incremental run after 0.1% of the entries changed; each
// timed, its worker's memory sampled, its ClickHouse parts counted, its rows checked, and for the
// first run its Temporal histories read (actions, steps, dispatch).
import type { ClickHouseClient } from '@clickhouse/client';
import type { Client } from '@temporalio/client';
import { runSync } from '../../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { qualified } from '../../clickhouse/sql';
import type { ResourceConfig } from '../../domain/source-config';
import { currentViewName } from '../../domain/table-names';
import type { SyncSummary } from '../../domain/types';
import type { Diff } from '../../test/e2e/compare';
import { Control, delta } from './api-control';
import { checkCounts, checkDiff, checkFields, countsPerResource } from './load-checks';
import type { MemorySampler } from './memory-sampler';
import { blockNumbers, partsBetween } from './parts-created';
import type { PipelineResult, Run } from './results';
import { runSteps, stepLines } from './run-steps';
import { countActions } from './temporal-actions';
import { temporalCost } from './temporal-overhead';
import { syncHistories } from './workflow-histories';

export interface PipelineContext {
  ch: ClickHouseClient;
  client: Client;
  api: Control;
  vars: Record<string, string>;
  sampler: MemorySampler;
  /** CPU seconds per process so far. */
  cpu: () => Record<string, number>;
  log: (line: string) => void;
  /** Size name and what is loaded, for messages: "M", "M, 16 resources". */
  label: string;
}

export interface PipelineLoad {
  db: string;
  /** Resources to sync (the sync's --resources); all of the configuration when undefined. */
  resources?: string[];
  /** Records the server serves per resource, which `_current` must hold. */
  counts: Record<string, number>;
  /** Resources to compare field for field after the first run's loads (none: counts only). */
  fieldCheck: ResourceConfig[];
  run: number;
  entries: number;
}

const written = (s: SyncSummary, name: string) => s.resources.find((r) => r.resource === name)?.rows ?? 0;
const pagesOf = (s: SyncSummary) => s.resources.reduce((n, r) => n + r.pages, 0);

const cpuLine = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');

async function sync(ctx: PipelineContext, load: PipelineLoad, kind: 'first' | 'incremental') {
  const { vars, api, ch } = ctx;
  const argv = load.resources ? ['--resources', load.resources.join(',')] : [];
  const input = syncInputFromSettings({ ...vars, CLICKHOUSE_DATABASE: load.db }, parseSyncArgs(argv));
  const workflowId = `bench-${load.db}-${kind}`;
  const before = await api.stats();
  const blocks = await blockNumbers(ch, load.db);
  const cpuBefore = ctx.cpu();
  ctx.sampler.start();
  const started = performance.now();
  let result: Awaited<ReturnType<typeof runSync>>;
  try {
    result = await runSync(ctx.client, input, { taskQueue: vars.TEMPORAL_TASK_QUEUE, workflowId });
  } catch (e) {
    ctx.sampler.stop();
    throw e;
  }
  const seconds = (performance.now() - started) / 1000;
  const memory = ctx.sampler.stop();
  const cpuAfter = ctx.cpu();
  if (!result.ok) throw new Error(`${ctx.label} pipeline, ${kind} sync: ${result.message}`);
  if (result.summary.outcome !== 'ok')
    throw new Error(`${ctx.label} pipeline: outcome ${result.summary.outcome}`);
  const run: Run = {
    seconds,
    server: delta(before, await api.stats()),
    pages: pagesOf(result.summary),
    cpu: Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, v - cpuBefore[k]])),
    memory,
    parts: partsBetween(blocks, await blockNumbers(ch, load.db)),
  };
  return { run, summary: result.summary, workflowId };
}

/** The histories of one sync: its actions, its steps, and what Temporal costs a page. */
async function readHistories(ctx: PipelineContext, workflowId: string) {
  const runs = await syncHistories(ctx.client, workflowId);
  return { actions: countActions(runs), steps: runSteps(runs), cost: temporalCost(runs) };
}

async function check(
  ctx: PipelineContext,
  load: PipelineLoad,
  what: string,
  checks: { what: string; diff: Diff }[],
): Promise<void> {
  const current = await countsPerResource(
    ctx.ch,
    Object.keys(load.counts),
    (r) => `SELECT count() AS n FROM ${qualified(load.db, currentViewName({ name: r }))}`,
  );
  // `_current` holds one row per live record, if the load is right.
  checkCounts(`${ctx.label} pipeline run ${load.run}, ${what}`, current, load.counts);
  if (load.run !== 1 || load.fieldCheck.length === 0) return;
  const diff = await checkFields(ctx.ch, load.db, load.fieldCheck, ctx.api);
  checkDiff(`${ctx.label} pipeline, ${what}`, diff);
  checks.push({ what: `pipeline, ${what}: every row field for field`, diff });
}

/** One full sync and the incremental run after it, added to `result`. */
export async function pipelineRuns(
  ctx: PipelineContext,
  load: PipelineLoad,
  result: PipelineResult,
  checks: { what: string; diff: Diff }[],
): Promise<void> {
  const full = await sync(ctx, load, 'first');
  await check(ctx, load, 'full sync', checks);
  result.pipeline.push(full.run);
  const firstRun = load.run === 1 ? await readHistories(ctx, full.workflowId) : undefined;
  if (firstRun) result.temporal = firstRun.cost;
  ctx.log(
    `${ctx.label} run ${load.run}: pipeline full sync ${full.run.seconds.toFixed(1)} s (${full.run.pages} pages, ` +
      `${full.run.parts?.total} parts, worker peak ${full.run.memory?.peakMb.toFixed(0)} MB` +
      `${firstRun ? `, ${firstRun.actions.total} Temporal actions` : ''}; CPU s: ${cpuLine(full.run.cpu)})`,
  );

  const changes = Math.max(1, Math.round(load.entries / 1000));
  const { changed } = await ctx.api.changeEntries(changes);
  const inc = await sync(ctx, load, 'incremental');
  if (written(inc.summary, 'entries') !== changed) {
    throw new Error(
      `${ctx.label} incremental: wrote ${written(inc.summary, 'entries')} entries, ${changed} changed`,
    );
  }
  await check(ctx, load, `incremental after ${changed} edits`, checks);
  result.incremental.push({ ...inc.run, changed });
  const incRun = load.run === 1 ? await readHistories(ctx, inc.workflowId) : undefined;
  if (firstRun) {
    result.histories = {
      full: { actions: firstRun.actions, steps: firstRun.steps },
      ...(incRun ? { incremental: { actions: incRun.actions, steps: incRun.steps } } : {}),
    };
  }
  ctx.log(
    `${ctx.label} run ${load.run}: incremental ${inc.run.seconds.toFixed(2)} s (${changed} changed, ` +
      `${inc.run.pages} pages, ${inc.run.parts?.total} parts${incRun ? `, ${incRun.actions.total} Temporal actions` : ''})`,
  );
  if (incRun) for (const line of stepLines(incRun.steps)) ctx.log(`  ${line}`);
}
