// `npm run bench -- [--sizes S,M,L] [--runs 3] [--runs-at-l N] [--dlt-sizes S,M]
//   [--loaders pipeline,raw,plain,dlt] [--all-resources] [--report docs/benchmark.md] [--smoke]`
//
// For each size: the local API server (its own process) serves generated data; then, several times
// each, the pipeline (a worker process and a full sync through Temporal), the raw limit (the same
// reading and loading with no orchestration, scripts/bench/raw-loader.ts), the plain limit (the
// records inserted as they come, scripts/bench/plain-loader.ts) and dlt (the peer, with the seed's
// configuration into DuckDB) load the seed's four resources. After each pipeline run 0.1% of the
// entries change and an incremental run follows; with --all-resources the pipeline does both again on
// every resource of the default configuration. Every load is checked against the server's data
// (counts for all, field for field for the pipeline's first runs); a failed check fails the command.
// Figures are medians. Needs the Temporal dev server and ClickHouse running (scripts/bench.sh starts them).
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { format } from 'prettier';
import { Client, Connection } from '@temporalio/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { connectClickHouse } from '../../clickhouse/connection';
import { qualified } from '../../clickhouse/sql';
import { clickHouseSettings, PROJECT_ROOT, readEnv, resolveVariables } from '../../config/settings';
import { temporalSettings } from '../../config/temporal-settings';
import { control, Control, delta, servedCounts } from './api-control';
import { checkCounts, countsPerResource } from './load-checks';
import { MemorySampler, peakMemoryMb } from './memory-sampler';
import { blockNumbers, partsBetween } from './parts-created';
import { PipelineContext, pipelineRuns } from './pipeline-runs';
import {
  cpuSeconds,
  exitWhenDead,
  lastJsonLine,
  runToEnd,
  servicePid,
  spawnTs,
  stop,
  waitForLine,
} from './processes';
import { renderReport } from './report';
import { overlongLines } from './report-format';
import type { BenchReport, Run, SizeResult } from './results';
import { writeGeneratedDoc } from '../generated-doc';
import { SIZES, SizeName } from './sizes';

const CREDENTIALS = { CLOCKODO_EMAIL: 'bench@example.com', CLOCKODO_API_KEY: 'bench-key-0123456789' };
/** The seed's resources: what the raw and plain loaders and dlt load too, so every loader does the same work. */
const RESOURCES = ['projects', 'absences', 'customers', 'entries'];
const LOADERS = ['pipeline', 'raw', 'plain', 'dlt'];

interface Args {
  sizes: SizeName[];
  runs: number;
  /** Runs at size L (--runs-at-l, default --runs): each takes minutes. */
  runsAtL: number;
  dltSizes: SizeName[];
  report?: string;
  smoke: boolean;
  /** Which loaders run (all by default): a quicker look at one while tuning it. */
  loaders: string[];
  /** `--all-resources`: the pipeline also on every resource of the default configuration. */
  allResources: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizeList = (text: string, flag: string): SizeName[] =>
    text
      .split(',')
      .filter(Boolean)
      .map((s) => {
        if (!(s in SIZES)) throw new Error(`${flag}: unknown size ${s} (S, M or L)`);
        return s as SizeName;
      });
  const smoke = argv.includes('--smoke');
  const runs = Number(value('--runs') ?? (smoke ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const runsAtL = Number(value('--runs-at-l') ?? runs);
  if (!Number.isInteger(runsAtL) || runsAtL < 1) throw new Error('--runs-at-l must be a positive integer');
  const loaders = (value('--loaders') ?? LOADERS.join(',')).split(',').filter(Boolean);
  const unknown = loaders.filter((l) => !LOADERS.includes(l));
  if (unknown.length) throw new Error(`--loaders: unknown ${unknown.join(', ')} (${LOADERS.join(', ')})`);
  return {
    sizes: sizeList(value('--sizes') ?? (smoke ? 'S' : 'S,M'), '--sizes'),
    runs,
    runsAtL,
    dltSizes: sizeList(value('--dlt-sizes') ?? (smoke ? '' : 'S,M'), '--dlt-sizes'),
    report: smoke ? value('--report') : (value('--report') ?? 'docs/benchmark.md'),
    smoke,
    loaders,
    allResources: argv.includes('--all-resources'),
  };
}

interface LoaderOutput {
  seconds: number;
  rows: Record<string, number>;
  pages: number;
  cpuSeconds: number;
}

/**
 * Databases are dropped only when the benchmark ends: ext4 creates files slowly for a while after
 * many were deleted, so a drop between runs would slow the runs after it.
 */
const databases: string[] = [];

/**
 * A loader script (raw or plain) into a new database, timed from its first request; its counts of
 * distinct records per resource checked against the server's (an absence spanning two years arrives
 * twice, and these tables keep both copies).
 */
async function loaderRun(
  ch: ClickHouseClient,
  api: Control,
  kind: 'raw' | 'plain',
  db: string,
  vars: Record<string, string>,
  cpu: () => Record<string, number>,
  totals: Record<string, number>,
): Promise<Run> {
  const before = await api.stats();
  const cpuBefore = cpu();
  const script = `scripts/bench/${kind}-loader.ts`;
  const args = [
    '-r',
    'ts-node/register/transpile-only',
    script,
    '--database',
    db,
    '--resources',
    RESOURCES.join(','),
  ];
  const out = lastJsonLine<LoaderOutput>(await runToEnd(process.execPath, args, vars));
  const cpuAfter = cpu();
  const server = delta(before, await api.stats());
  const distinct = await countsPerResource(
    ch,
    RESOURCES,
    (r) => `SELECT uniqExact(id) AS n FROM ${qualified(db, r)}`,
  );
  checkCounts(`${kind} loader`, distinct, totals);
  return {
    seconds: out.seconds,
    server,
    pages: out.pages,
    cpu: {
      ...Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, v - cpuBefore[k]])),
      worker: 0,
      [`${kind} loader`]: out.cpuSeconds,
    },
    parts: partsBetween({}, await blockNumbers(ch, db)),
  };
}

async function benchSize(
  ch: ClickHouseClient,
  name: SizeName,
  args: Args,
  tag: string,
  log: (line: string) => void,
): Promise<SizeResult> {
  const size = SIZES[name];
  const now = new Date();
  const years = Array.from({ length: size.years }, (_, i) => now.getUTCFullYear() - size.years + 1 + i);
  log(`${name}: generating ${size.entries} entries in the API server`);
  const generating = performance.now();
  const apiProcess = spawnTs(
    'api-server/main.ts',
    [],
    {
      ...CREDENTIALS,
      API_SERVER_PORT: '0',
      API_SERVER_ALLOW_CONTROL: '1',
      API_SERVER_CUSTOMERS: String(size.customers),
      API_SERVER_PROJECTS: String(size.projects),
      API_SERVER_ABSENCES_PER_YEAR: String(size.absencesPerYear),
      API_SERVER_ENTRIES: String(size.entries),
      API_SERVER_USERS: String(size.users),
      API_SERVER_YEARS: String(size.years),
    },
    ['--max-old-space-size=8192'],
  );
  let workerProcess: ChildProcess | undefined;
  let connection: Connection | undefined;
  try {
    const [, apiUrl] = await waitForLine(apiProcess, /listening on (\S+) /, 'the API server');
    const generateSeconds = (performance.now() - generating) / 1000;
    const api = control(apiUrl);
    const totals = await servedCounts(api, RESOURCES);
    log(
      `${name}: ${JSON.stringify(totals)} served at ${apiUrl} (generated in ${generateSeconds.toFixed(0)} s)`,
    );

    const vars: Record<string, string> = resolveVariables({
      ...readEnv(),
      ...CREDENTIALS,
      CLOCKODO_BASE_URL: apiUrl,
      SYNC_YEARS: years.join(','),
      SYNC_START_DATE: `${years[0]}-01-01`,
      TEMPORAL_NAMESPACE: 'clockodo-e2e',
      TEMPORAL_TASK_QUEUE: `bench-${tag}-${name}`,
      WORKER_METRICS_ADDRESS: 'off',
      LOG_LEVEL: 'WARN',
    });
    // As `npm run worker` runs it (compiled, its heap capped); scripts/worker.sh execs node, so its pid is the worker's.
    workerProcess = spawn('bash', ['scripts/worker.sh'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...vars, LOG_LEVEL: 'INFO' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(workerProcess, /"worker started"/, 'the worker');
    exitWhenDead(workerProcess, 'the worker', () => apiProcess.kill('SIGKILL'));
    // Its log, for a look afterwards (WORKER_MEMORY_LOG_SECONDS=5 adds its memory every 5 s).
    const workerLog = createWriteStream(path.join(PROJECT_ROOT, `.services/bench-worker-${name}.log`));
    workerProcess.stdout?.pipe(workerLog);
    workerProcess.stderr?.pipe(workerLog);
    // CPU seconds of every process that serves a load: on two cores, their sum is what bounds it.
    const pids = {
      worker: workerProcess.pid,
      'API server': apiProcess.pid,
      ClickHouse: servicePid('clickhouse'),
      Temporal: servicePid('temporal'),
    };
    const cpu = () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const temporal = temporalSettings(vars);
    connection = await Connection.connect(temporal.connection);
    const client = new Client({ connection, namespace: temporal.namespace });
    const configured = syncInputFromSettings(vars, parseSyncArgs([])).config.resources;
    const seedResources = configured.filter((r) => RESOURCES.includes(r.name));
    const sampler = new MemorySampler(workerProcess.pid!);
    const ctx: PipelineContext = { ch, client, api, vars, sampler, cpu, log, label: name };

    const result: SizeResult = {
      size: name,
      spec: size,
      counts: totals,
      pipeline: [],
      raw: [],
      plain: [],
      dlt: [],
      incremental: [],
      checks: [],
    };
    const all = args.allResources
      ? {
          counts: await servedCounts(
            api,
            configured.map((r) => r.name),
          ),
          pipeline: [],
          incremental: [],
        }
      : undefined;
    if (all) result.allResources = all;

    const runs = name === 'L' ? args.runsAtL : args.runs;
    for (let run = 1; run <= runs; run++) {
      const dbOf = (suffix: string) => {
        const db = `bench_${tag}_${name.toLowerCase()}_${suffix}${run}`;
        databases.push(db);
        return db;
      };
      if (args.loaders.includes('pipeline')) {
        const load = { db: dbOf('p'), resources: RESOURCES, counts: totals, fieldCheck: seedResources, run };
        await pipelineRuns(ctx, { ...load, entries: size.entries }, result, result.checks);
      }

      for (const kind of ['raw', 'plain'] as const) {
        if (!args.loaders.includes(kind)) continue;
        const r = await loaderRun(ch, api, kind, dbOf(kind === 'raw' ? 'r' : 'n'), vars, cpu, totals);
        (kind === 'raw' ? result.raw : result.plain!).push(r);
        log(
          `${name} run ${run}: ${kind} loader ${r.seconds.toFixed(1)} s (${r.pages} pages, ${r.parts?.total} parts; ` +
            `CPU s: ${Object.entries(r.cpu)
              .map(([k, v]) => `${k} ${v.toFixed(1)}`)
              .join(', ')})`,
        );
      }

      if (args.dltSizes.includes(name) && args.loaders.includes('dlt')) {
        const python = path.join(PROJECT_ROOT, '.services/dlt/bin/python');
        if (!existsSync(python))
          throw new Error(`dlt is not installed (${python}): run scripts/bench/dlt-install.sh`);
        const duckdb = path.join(PROJECT_ROOT, `.services/dlt/bench-${tag}.duckdb`);
        const before = await api.stats();
        const out = lastJsonLine<{ seconds: number; rows: Record<string, number>; dlt_version: string }>(
          await runToEnd(
            python,
            [
              'scripts/bench/dlt_peer.py',
              '--base-url',
              apiUrl,
              '--duckdb',
              duckdb,
              '--years',
              years.join(','),
              '--start-date',
              `${years[0]}-01-01`,
            ],
            CREDENTIALS,
          ),
        );
        checkCounts(`${name} dlt run ${run}`, out.rows, totals);
        result.dlt.push({
          seconds: out.seconds,
          server: delta(before, await api.stats()),
          pages: 0,
          cpu: {},
        });
        result.dltVersion = out.dlt_version;
        log(`${name} run ${run}: dlt ${out.seconds.toFixed(1)} s`);
      }

      // Every resource, counts checked (the four are compared field for field above).
      if (all && args.loaders.includes('pipeline')) {
        const load = { db: dbOf('a'), counts: all.counts, fieldCheck: [], run, entries: size.entries };
        await pipelineRuns(
          { ...ctx, label: `${name}, ${configured.length} resources` },
          load,
          all,
          result.checks,
        );
      }
    }
    result.workerPeakMb = sampler.lifetimePeakMb();
    result.apiPeakMb = peakMemoryMb(apiProcess.pid!);
    return result;
  } finally {
    await connection?.close();
    if (workerProcess) await stop(workerProcess);
    await stop(apiProcess);
  }
}

/** `--render FILE`: the report again from saved measurements (after editing notes.md, say). */
async function render(file: string, reportPath: string): Promise<void> {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as BenchReport & { date: string };
  const markdown = renderReport({ ...saved, date: new Date(saved.date) });
  await writeGeneratedDoc(path.resolve(PROJECT_ROOT, reportPath), 'Benchmark', 'npm run bench', markdown);
  console.log(`[bench] ${reportPath} rendered from ${file}`);
}

async function main(): Promise<void> {
  const renderFrom = process.argv.indexOf('--render');
  if (renderFrom >= 0) return render(process.argv[renderFrom + 1], 'docs/benchmark.md');
  const args = parseArgs(process.argv.slice(2));
  const tag = randomBytes(3).toString('hex');
  const log = (line: string) => console.log(`[bench] ${line}`);
  const results: SizeResult[] = [];
  const ch = connectClickHouse(clickHouseSettings(resolveVariables(readEnv())));
  try {
    for (const size of args.sizes) results.push(await benchSize(ch, size, args, tag, log));
  } finally {
    for (const db of databases) {
      // A large database takes ClickHouse a while to drop; it goes on after the client stops waiting.
      await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` }).catch((e: Error) => {
        log(`dropping ${db} goes on in ClickHouse (${e.message.split('\n')[0]})`);
      });
    }
  }
  const clickhouseVersion = (
    await (await ch.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>()
  )[0].v;
  await ch.close();
  const report: BenchReport = {
    date: new Date(),
    args: process.argv.slice(2),
    runs: args.runs,
    results,
    clickhouseVersion,
  };
  // The measurements as data too, so the report can be rendered again without measuring again.
  writeFileSync(path.join(PROJECT_ROOT, '.services/bench-results.json'), JSON.stringify(report, null, 1));
  const markdown = renderReport(report);
  const page = await format(markdown, { parser: 'markdown', proseWrap: 'always', printWidth: 110 });
  console.log(page);
  // The docs' limit: a table too wide for it should be split in report.ts.
  for (const line of overlongLines(page))
    log(`warning: a report line of ${line.length} characters: ${line.slice(0, 80)}…`);
  if (args.report) {
    await writeGeneratedDoc(path.resolve(PROJECT_ROOT, args.report), 'Benchmark', 'npm run bench', markdown);
    log(`report written to ${args.report}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
