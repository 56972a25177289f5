// `npm run bench -- [--sizes S,M,L] [--runs 3] [--runs-at-l N] [--dlt-sizes S,M] [--loaders pipeline,raw,dlt] [--report docs/benchmark.md] [--smoke]`
//
// For each size: the local API server (its own process) serves generated data; then, several times
// each, the pipeline (a worker process and a full sync through Temporal), the raw limit (the same
// reading and loading with no orchestration, scripts/bench/raw-loader.ts) and dlt (the peer, with the
// seed's configuration into DuckDB) load it. After each pipeline run 0.1% of the entries change and an
// incremental run follows. Every load is checked against the server's data (counts for all, field for
// field for the pipeline's first runs); a failed check fails the command. Figures are medians.
// Needs the Temporal dev server and ClickHouse running (scripts/bench.sh starts them).
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { format } from 'prettier';
import { Client, Connection } from '@temporalio/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { runSync } from '../../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { connectClickHouse } from '../../clickhouse/connection';
import { qualified } from '../../clickhouse/sql';
import { currentViewName } from '../../domain/table-names';
import { clickHouseSettings, PROJECT_ROOT, readEnv, resolveVariables } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import { temporalSettings } from '../../config/temporal-settings';
import type { SyncSummary } from '../../domain/types';
import { Diff, diffRows, toServed } from '../../test/e2e/compare';
import {
  cpuSeconds,
  lastJsonLine,
  peakMemoryMb,
  runToEnd,
  servicePid,
  spawnTs,
  stop,
  waitForLine,
} from './processes';
import { BenchReport, renderReport, SizeResult } from './report';
import { writeGeneratedDoc } from '../generated-doc';
import { SIZES, SizeName } from './sizes';
import { temporalCost } from './temporal-overhead';

const CREDENTIALS = { CLOCKODO_EMAIL: 'bench@example.com', CLOCKODO_API_KEY: 'bench-key-0123456789' };
/** The seed's resources: what the raw loader and dlt load too, so every loader does the same work. */
const RESOURCES = ['projects', 'absences', 'customers', 'entries'];
const SEED_RESOURCES = ['--resources', RESOURCES.join(',')];

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
  return {
    sizes: sizeList(value('--sizes') ?? (smoke ? 'S' : 'S,M'), '--sizes'),
    runs,
    runsAtL,
    dltSizes: sizeList(value('--dlt-sizes') ?? (smoke ? '' : 'S,M'), '--dlt-sizes'),
    report: smoke ? value('--report') : (value('--report') ?? 'docs/benchmark.md'),
    smoke,
    loaders: (value('--loaders') ?? 'pipeline,raw,dlt').split(','),
  };
}

interface ServerStats {
  requests: number;
  servingMs: number;
  cpuMs: number;
}

/** The API server's control routes (API_SERVER_ALLOW_CONTROL=1). */
function control(apiUrl: string) {
  const base = apiUrl.replace(/\/api$/, '');
  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${base}/__control/${route}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      } catch (e) {
        // A kept-alive connection the server closed just then; only reads are tried again.
        const err = e as Error & { cause?: Error };
        if (method !== 'GET' || attempt >= 3) {
          throw new Error(`control ${route}: ${err.message}${err.cause ? ` (${err.cause.message})` : ''}`, {
            cause: e,
          });
        }
      }
    }
  };
  return {
    stats: () => call<ServerStats>('GET', 'stats'),
    changeEntries: (count: number) => call<{ changed: number }>('POST', 'change-entries', { count }),
    records: (resource: string, offset: number, limit: number) =>
      call<{ total: number; records: { id: number }[] }>(
        'GET',
        `records?resource=${resource}&offset=${offset}&limit=${limit}`,
      ),
  };
}
type Control = ReturnType<typeof control>;

const delta = (a: ServerStats, b: ServerStats): ServerStats => ({
  requests: b.requests - a.requests,
  servingMs: b.servingMs - a.servingMs,
  cpuMs: b.cpuMs - a.cpuMs,
});

const noDiff = (): Diff => ({ lost: 0, extra: 0, duplicated: 0, different: 0, floatUlp: 0 });
const addDiff = (a: Diff, b: Diff): Diff => ({
  lost: a.lost + b.lost,
  extra: a.extra + b.extra,
  duplicated: a.duplicated + b.duplicated,
  different: a.different + b.different,
  floatUlp: a.floatUlp + b.floatUlp,
});
const CHUNK = 100_000;

/** `<resource>_current` against the server's records, field for field, in slices of ids. */
async function checkFields(
  ch: ClickHouseClient,
  db: string,
  resources: ResourceConfig[],
  api: Control,
): Promise<Diff> {
  let diff = noDiff();
  for (const resource of resources) {
    let offset = 0;
    let matched = 0;
    for (;;) {
      const { records } = await api.records(resource.name, offset, CHUNK);
      if (records.length === 0) {
        // Rows outside every slice's id range are extra too.
        const rs = await ch.query({
          query: `SELECT count() AS n FROM ${qualified(db, currentViewName(resource))}`,
          format: 'JSONEachRow',
        });
        const [{ n }] = await rs.json<{ n: string }>();
        diff.extra += Math.max(0, Number(n) - matched);
        break;
      }
      const first = records[0].id;
      const last = records[records.length - 1].id;
      const rs = await ch.query({
        query: `SELECT * FROM ${qualified(db, currentViewName(resource))} WHERE id >= ${first} AND id <= ${last}`,
        format: 'JSONEachRow',
      });
      const stored = await rs.json<Record<string, unknown>>();
      const d = diffRows(
        stored,
        records.map((r) => toServed(r, resource)),
        resource,
      );
      matched += stored.length;
      diff = addDiff(diff, d);
      offset += records.length;
    }
  }
  return diff;
}

/** One figure per resource: what `sqlFor(resource)` answers as `n`. */
async function countsPerResource(
  ch: ClickHouseClient,
  sqlFor: (resource: string) => string,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of RESOURCES) {
    const rs = await ch.query({ query: sqlFor(r), format: 'JSONEachRow' });
    out[r] = Number((await rs.json<{ n: string }>())[0].n);
  }
  return out;
}

function checkCounts(what: string, got: Record<string, number>, want: Record<string, number>): void {
  for (const r of RESOURCES) {
    if (got[r] !== want[r]) throw new Error(`${what}: ${r} has ${got[r]} rows, the server serves ${want[r]}`);
  }
}

function checkDiff(what: string, d: Diff): void {
  if (d.lost || d.extra || d.duplicated || d.different) {
    throw new Error(`${what}: not exact: ${JSON.stringify(d)}`);
  }
}

const cpuLine = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');

const written = (s: SyncSummary, name: string) => s.resources.find((r) => r.resource === name)?.rows ?? 0;

/**
 * Databases are dropped only when the benchmark ends: ext4 creates files slowly for a while after
 * many were deleted, so a drop between runs would slow the runs after it.
 */
const databases: string[] = [];

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
    const totals: Record<string, number> = {};
    for (const r of RESOURCES) totals[r] = (await api.records(r, 0, 0)).total;
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
    // CPU seconds of every process that serves a load: on two cores, their sum is what bounds it.
    const pids = {
      worker: workerProcess.pid,
      'API server': apiProcess.pid,
      ClickHouse: servicePid('clickhouse'),
      Temporal: servicePid('temporal'),
    };
    const cpu = () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const cpuSince = (before: Record<string, number>) => {
      const now = cpu();
      return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - before[k]]));
    };
    const temporal = temporalSettings(vars);
    connection = await Connection.connect(temporal.connection);
    const client = new Client({ connection, namespace: temporal.namespace });
    const resources = syncInputFromSettings(vars, parseSyncArgs([])).config.resources.filter((r) =>
      RESOURCES.includes(r.name),
    );

    const result: SizeResult = {
      size: name,
      spec: size,
      counts: totals,
      pipeline: [],
      raw: [],
      dlt: [],
      incremental: [],
      checks: [],
    };
    const sync = async (db: string, argv: string[], kind: string) => {
      const input = syncInputFromSettings(
        { ...vars, CLICKHOUSE_DATABASE: db },
        parseSyncArgs([...SEED_RESOURCES, ...argv]),
      );
      const before = await api.stats();
      const cpuBefore = cpu();
      const started = performance.now();
      const workflowId = `bench-${db}-${kind}`;
      const r = await runSync(client, input, { taskQueue: vars.TEMPORAL_TASK_QUEUE, workflowId });
      const seconds = (performance.now() - started) / 1000;
      if (!r.ok) throw new Error(`${name} pipeline, ${kind} sync: ${r.message}`);
      if (r.summary.outcome !== 'ok') throw new Error(`${name} pipeline: outcome ${r.summary.outcome}`);
      return {
        seconds,
        summary: r.summary,
        server: delta(before, await api.stats()),
        cpu: cpuSince(cpuBefore),
        workflowId,
      };
    };

    const runs = name === 'L' ? args.runsAtL : args.runs;
    for (let run = 1; run <= runs; run++) {
      // The pipeline: a first sync into an empty database (it reads the whole history, as a user's first
      // sync does), then an incremental run after 0.1% of the entries changed.
      const db = `bench_${tag}_${name.toLowerCase()}_p${run}`;
      const rawDb = `bench_${tag}_${name.toLowerCase()}_r${run}`;
      databases.push(db, rawDb);
      if (args.loaders.includes('pipeline')) {
        const full = await sync(db, [], 'first');
        // `_current` holds one row per live record, if the load is right.
        const current = await countsPerResource(
          ch,
          (r) => `SELECT count() AS n FROM ${qualified(db, currentViewName({ name: r }))}`,
        );
        checkCounts(`${name} pipeline run ${run}`, current, totals);
        const pages = full.summary.resources.reduce((n, r) => n + r.pages, 0);
        result.pipeline.push({ seconds: full.seconds, server: full.server, pages, cpu: full.cpu });
        if (run === 1) {
          result.temporal = await temporalCost(client, full.workflowId);
          const d = await checkFields(ch, db, resources, api);
          checkDiff(`${name} pipeline, full sync`, d);
          result.checks.push({ what: 'pipeline, full sync: every row field for field', diff: d });
        }
        log(
          `${name} run ${run}: pipeline full sync ${full.seconds.toFixed(1)} s (${pages} pages; CPU s: ${cpuLine(full.cpu)})`,
        );

        const changes = Math.max(1, Math.round(size.entries / 1000));
        const { changed } = await api.changeEntries(changes);
        const inc = await sync(db, [], 'incremental');
        if (written(inc.summary, 'entries') !== changed) {
          throw new Error(
            `${name} incremental: wrote ${written(inc.summary, 'entries')} entries, ${changed} changed`,
          );
        }
        const incPages = inc.summary.resources.reduce((n, r) => n + r.pages, 0);
        result.incremental.push({
          seconds: inc.seconds,
          server: inc.server,
          pages: incPages,
          changed,
          cpu: inc.cpu,
        });
        if (run === 1) {
          const d = await checkFields(ch, db, resources, api);
          checkDiff(`${name} pipeline, incremental`, d);
          result.checks.push({
            what: `pipeline, incremental after ${changed} edits: every row field for field`,
            diff: d,
          });
        }
        log(
          `${name} run ${run}: incremental ${inc.seconds.toFixed(2)} s (${changed} changed, ${incPages} pages)`,
        );
      }

      // The raw limit, into tables of the same kind.
      if (args.loaders.includes('raw')) {
        const before = await api.stats();
        const cpuBefore = cpu();
        const raw = lastJsonLine<{
          seconds: number;
          rows: Record<string, number>;
          pages: number;
          cpuSeconds: number;
        }>(
          await runToEnd(
            process.execPath,
            ['-r', 'ts-node/register/transpile-only', 'scripts/bench/raw-loader.ts', '--database', rawDb],
            vars,
          ),
        );
        // Distinct records: the raw loader writes what it reads (an absence spanning two years arrives
        // twice), and its tables merge the copies in their own time, like the pipeline's.
        const distinct = await countsPerResource(
          ch,
          (r) => `SELECT uniqExact(id) AS n FROM ${qualified(rawDb, r)}`,
        );
        checkCounts(`${name} raw run ${run}`, distinct, totals);
        const rawCpu = { ...cpuSince(cpuBefore), worker: 0, 'raw loader': raw.cpuSeconds };
        result.raw.push({
          seconds: raw.seconds,
          server: delta(before, await api.stats()),
          pages: raw.pages,
          cpu: rawCpu,
        });
        log(`${name} run ${run}: raw loader ${raw.seconds.toFixed(1)} s (CPU s: ${cpuLine(rawCpu)})`);
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
    }
    result.workerPeakMb = peakMemoryMb(workerProcess.pid!);
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
  console.log(await format(markdown, { parser: 'markdown' }));
  if (args.report) {
    await writeGeneratedDoc(path.resolve(PROJECT_ROOT, args.report), 'Benchmark', 'npm run bench', markdown);
    log(`report written to ${args.report}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
