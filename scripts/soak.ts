// `npm run soak -- --minutes N [--report FILE]`: syncs again and again against the local API server
// while it injects random faults, while the source changes between runs, and while the worker
// process is killed with SIGKILL and restarted. After every completed run, each table is compared
// with the API's data, field for field: rows lost, duplicated or different must all stay 0.
// Writes a Markdown report (default .services/soak-report.md; docs/reliability.md holds a long run's).
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { writeGeneratedDoc } from './generated-doc';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { generateDataset } from '../api-server/data-generator';
import { startApiServer, RandomFaults } from '../api-server/server';
import type { Dataset, Entry } from '../api-server/types';
import { runSync } from '../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../client/sync-request';
import { connectClickHouse } from '../clickhouse/connection';
import { qualified } from '../clickhouse/sql';
import { currentViewName } from '../domain/table-names';
import { clickHouseSettings, readEnv, resolveVariables } from '../config/settings';
import type { ResourceConfig } from '../domain/source-config';
import { temporalSettings } from '../config/temporal-settings';
import { Diff, diffRows, servedRecords } from '../test/e2e/compare';

const ROOT = path.resolve(__dirname, '..');
const CREDENTIALS = { email: 'soak@example.com', apiKey: `soak-key-${randomBytes(6).toString('hex')}` };
/** Faults per request, about one request in eight: the kinds a flaky API and its proxies produce. */
const FAULT_RATES: RandomFaults['rates'] = {
  '429-retry-after-seconds': 0.02,
  '429-retry-after-date': 0.01,
  '429': 0.01,
  '500': 0.015,
  '502': 0.01,
  '503': 0.015,
  '504': 0.005,
  reset: 0.01,
  'reset-mid-body': 0.005,
  'truncated-json': 0.01,
  'html-502': 0.005,
  'html-200': 0.005,
  'stall-body': 0.002,
};
/** The soak's request timeout (the seed's is 60 s): a stalled response costs this much. */
const REQUEST_TIMEOUT_SECONDS = 10;

interface Args {
  minutes: number;
  report: string;
  seed: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { minutes: 20, report: path.join(ROOT, '.services/soak-report.md'), seed: 11 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--minutes' && Number(value) > 0) args.minutes = Number(value);
    else if (flag === '--report' && value) args.report = path.resolve(value);
    else if (flag === '--seed' && Number.isInteger(Number(value))) args.seed = Number(value);
    else throw new Error(`usage: npm run soak -- [--minutes N] [--report FILE] [--seed N] (at ${flag})`);
    i++;
  }
  return args;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A small seeded generator, so a soak's source changes can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Edits, additions and deletions of recent entries, and edits of customers, projects, services, user reports and work days. */
function changeSource(ds: Dataset, random: () => number, nextId: () => number): string {
  const now = Date.now();
  const recent = ds.entries.filter((e) => Date.parse(e.time_since) > now - 10 * 86_400_000 && e.time_until);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  let edits = 0;
  let adds = 0;
  let deletes = 0;
  for (let i = 0; i < 1 + Math.floor(random() * 6); i++) {
    const e = pick(recent);
    if (!e) break;
    ds.entries[ds.entries.indexOf(e)] = {
      ...e,
      text: `soak edit ${i} ${now}`,
      time_last_change: iso(now - 1000),
    };
    edits++;
  }
  const model = ds.entries.find((e) => e.type === 1 && e.time_until !== null) as Entry;
  for (let i = 0; i < Math.floor(random() * 4); i++) {
    const since = now - Math.floor(random() * 9 * 86_400_000);
    ds.entries.push({
      ...model,
      id: nextId(),
      text: `soak added ${now}`,
      time_since: iso(since),
      time_until: iso(since + 1_800_000),
      ...(model.type === 1 ? { duration: 1800 } : {}),
      time_insert: iso(now - 1000),
      time_last_change: iso(now - 1000),
    });
    adds++;
  }
  for (let i = 0; i < Math.floor(random() * 3); i++) {
    const e = pick(recent.filter((x) => ds.entries.includes(x)));
    if (!e) break;
    ds.entries.splice(ds.entries.indexOf(e), 1);
    deletes++;
  }
  const c = pick(ds.customers);
  ds.customers[ds.customers.indexOf(c)] = { ...c, name: `${c.name.replace(/ \(soak.*$/, '')} (soak ${now})` };
  const p = pick(ds.projects);
  ds.projects[ds.projects.indexOf(p)] = { ...p, name: `${p.name.replace(/ \(soak.*$/, '')} (soak ${now})` };
  // One of each way of reading: a list read in full, a report read per year, a work day in the window.
  const s = pick(ds.services);
  ds.services[ds.services.indexOf(s)] = { ...s, note: `soak ${now}` };
  const reports = ds.user_reports[String(new Date(now).getUTCFullYear())] ?? [];
  const r = pick(reports);
  if (r) reports[reports.indexOf(r)] = { ...r, sum_hours: r.sum_hours + 1800 };
  const day = pick(ds.work_times.filter((d) => Date.parse(`${d.date}T00:00:00Z`) > now - 10 * 86_400_000));
  if (day) ds.work_times[ds.work_times.indexOf(day)] = { ...day, offset: day.offset + 60 };
  return `${edits} edits, ${adds} additions, ${deletes} deletions of entries; a customer and a project renamed; a service, a user report and a work day edited`;
}

async function compare(
  ch: ClickHouseClient,
  db: string,
  ds: Dataset,
  resource: ResourceConfig,
): Promise<Diff> {
  const rs = await ch.query({
    query: `SELECT * FROM ${qualified(db, currentViewName(resource))}`,
    format: 'JSONEachRow',
  });
  const stored = await rs.json<Record<string, unknown>>();
  return diffRows(stored, servedRecords(ds, resource), resource, !!process.env.SOAK_DEBUG);
}

interface RunRecord {
  n: number;
  mode: string;
  outcome: string;
  seconds: number;
  retries: number;
  rows: number;
  kills: number;
  change: string;
  diff?: Diff;
  error?: string;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const year = new Date().getUTCFullYear();
  const size = {
    customers: 40,
    projects: 80,
    absencesPerYear: 20,
    entries: 4000,
    users: 6,
    years: [year - 1, year],
  };
  const dataset = generateDataset(args.seed, size, new Date(Date.now() - 60_000));
  const api = await startApiServer({
    dataset,
    credentials: CREDENTIALS,
    maxItemsPerPage: 100,
    latencyMs: 10,
    randomFaults: { seed: args.seed, rates: FAULT_RATES },
  });
  const tag = randomBytes(4).toString('hex');
  mkdirSync(path.join(ROOT, '.services'), { recursive: true });
  const sourcePath = path.join(ROOT, `.services/soak-source-${tag}.json`);
  const source = JSON.parse(readFileSync(path.join(ROOT, 'config/sources/clockodo-v2.json'), 'utf8')) as {
    client: { request_timeout_seconds: number };
  };
  source.client.request_timeout_seconds = REQUEST_TIMEOUT_SECONDS;
  writeFileSync(sourcePath, JSON.stringify(source, null, 2));
  const vars: Record<string, string> = {
    ...resolveVariables({
      ...readEnv(),
      SYNC_YEARS: size.years.join(','),
      SYNC_START_DATE: `${size.years[0]}-01-01`,
    }),
    CLOCKODO_BASE_URL: api.url,
    CLOCKODO_EMAIL: CREDENTIALS.email,
    CLOCKODO_API_KEY: CREDENTIALS.apiKey,
    CLICKHOUSE_DATABASE: `clockodo_soak_${tag}`,
    TEMPORAL_TASK_QUEUE: `soak-${tag}`,
    TEMPORAL_NAMESPACE: 'clockodo-e2e',
    SOURCE_CONFIG: sourcePath,
    SYNC_SECOND_CHANCE_SECONDS: '5',
    WORKER_METRICS_ADDRESS: 'off',
    LOG_LEVEL: 'WARN',
  };
  const temporal = temporalSettings(vars);
  const connection = await Connection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace });
  const ch = connectClickHouse(clickHouseSettings(vars));
  const workerLog = path.join(ROOT, `.services/soak-worker-${tag}.log`);
  const log = openSync(workerLog, 'a');
  const startWorker = (): ChildProcess =>
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...vars },
      stdio: ['ignore', log, log],
    });
  let worker = startWorker();
  const random = rng(args.seed);
  let lastId = Math.max(...dataset.entries.map((e) => e.id));
  const runs: RunRecord[] = [];
  const recoveries: number[] = [];
  const deadline = Date.now() + args.minutes * 60_000;
  let stopKilling = false;
  let killsDuringRun = 0;

  // The killer: every 30–90 s, SIGKILL the worker and start a new one at once (as a supervisor
  // would). Recovery: from the kill to the first API request answered 200 after it.
  const killer = (async () => {
    while (!stopKilling && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 30_000 + random() * 60_000));
      if (stopKilling) break;
      const killedAt = Date.now();
      worker.kill('SIGKILL');
      worker = startWorker();
      killsDuringRun++;
      while (!stopKilling) {
        if (api.requestLog.some((r) => r.at > killedAt && r.status === 200)) {
          recoveries.push((Date.now() - killedAt) / 1000);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();

  const resources = syncInputFromSettings(vars, parseSyncArgs([])).config.resources;
  console.log(`soak for ${args.minutes} min into ${vars.CLICKHOUSE_DATABASE}, worker log ${workerLog}`);
  try {
    for (let n = 1; Date.now() < deadline; n++) {
      const change = n === 1 ? 'first sync' : changeSource(api.dataset, random, () => ++lastId);
      const mode = n % 3 === 0 ? 'reconcile' : 'incremental';
      killsDuringRun = 0;
      const started = Date.now();
      const result = await runSync(
        client,
        syncInputFromSettings(vars, parseSyncArgs(mode === 'reconcile' ? ['--reconcile'] : [])),
        { taskQueue: vars.TEMPORAL_TASK_QUEUE },
      );
      const record: RunRecord = {
        n,
        mode,
        outcome: result.ok ? result.summary.outcome : result.cancelled ? 'cancelled' : 'failed',
        seconds: (Date.now() - started) / 1000,
        retries: result.summary?.resources.reduce((s, r) => s + r.retries, 0) ?? 0,
        rows: result.summary?.resources.reduce((s, r) => s + r.rows, 0) ?? 0,
        kills: killsDuringRun,
        change,
        ...(result.ok ? {} : { error: result.message.slice(0, 300) }),
      };
      if (result.ok && result.summary.outcome === 'ok') {
        const diffs = await Promise.all(
          resources.map((r) => compare(ch, vars.CLICKHOUSE_DATABASE, api.dataset, r)),
        );
        record.diff = diffs.reduce(
          (a, d) => ({
            lost: a.lost + d.lost,
            extra: a.extra + d.extra,
            duplicated: a.duplicated + d.duplicated,
            different: a.different + d.different,
            floatUlp: a.floatUlp + d.floatUlp,
          }),
          { lost: 0, extra: 0, duplicated: 0, different: 0, floatUlp: 0 },
        );
      }
      runs.push(record);
      console.log(
        `run ${n} ${mode}: ${record.outcome} in ${record.seconds.toFixed(1)} s, ${record.retries} retries, ` +
          `${record.kills} kills, ${record.rows} rows written` +
          (record.diff
            ? `; lost ${record.diff.lost}, extra ${record.diff.extra}, duplicated ${record.diff.duplicated}, different ${record.diff.different}`
            : '') +
          (record.error ? `; ${record.error}` : ''),
      );
    }
  } finally {
    stopKilling = true;
    await killer;
    worker.kill('SIGTERM');
    await ch.command({ query: `DROP DATABASE IF EXISTS ${vars.CLICKHOUSE_DATABASE}` }).catch(() => undefined);
    await ch.close();
    await connection.close();
    await api.close();
  }

  const faults = api.faultCounts();
  const requests = api.requestLog.length;
  const compared = runs.filter((r) => r.diff);
  const sum = (k: keyof Diff) => compared.reduce((s, r) => s + (r.diff?.[k] ?? 0), 0);
  const bad = sum('lost') + sum('extra') + sum('duplicated') + sum('different');
  const report = [
    `## A soak of ${args.minutes} minutes`,
    '',
    `Made by \`npm run soak -- --minutes ${args.minutes}\` on ${new Date().toISOString().slice(0, 16)}Z (seed ${args.seed}).`,
    `The local API server (${size.entries} entries at the start, 100 per page) injected random faults into`,
    `${Object.values(faults).reduce((a, b) => a + b, 0)} of ${requests} requests; the source changed before every run; the`,
    `worker process was killed with SIGKILL every 30–90 s and restarted at once. Request timeout ${REQUEST_TIMEOUT_SECONDS} s,`,
    "second chance after 5 s; otherwise the seed's retry policy (3 retries, backoff ×2, Retry-After honoured).",
    '',
    '### Outcome',
    '',
    '| runs | completed ok | degraded | failed | compared exactly | rows lost | rows extra | rows duplicated | rows different |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${runs.length} | ${runs.filter((r) => r.outcome === 'ok').length} | ${runs.filter((r) => r.outcome === 'degraded').length} | ${runs.filter((r) => r.outcome === 'failed').length} | ${compared.length} | ${sum('lost')} | ${sum('extra')} | ${sum('duplicated')} | ${sum('different')} |`,
    '',
    `Rows whose only difference from the API is a float one unit in the last place apart (ClickHouse 18.16 parses`,
    `some decimals so, e.g. 6.94 as 6.9399999999999995; not counted above): ${Math.max(0, ...compared.map((r) => r.diff?.floatUlp ?? 0))} per comparison at most.`,
    '',
    `Retries taken by pages: ${runs.reduce((s, r) => s + r.retries, 0)}. Worker kills: ${recoveries.length}; recovery (kill to the next`,
    `page answered): ${recoveries.length ? `median ${median(recoveries).toFixed(1)} s, max ${Math.max(...recoveries).toFixed(1)} s` : 'none'}.`,
    '',
    '### Faults injected, by kind',
    '',
    '| fault | requests |',
    '| --- | --- |',
    ...Object.entries(faults)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '### Runs',
    '',
    '| # | kind | outcome | seconds | retries | kills | rows written | lost/extra/dup/diff | source change |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map(
      (r) =>
        `| ${r.n} | ${r.mode} | ${r.outcome}${r.error ? ` (${r.error.replace(/\|/g, '/')})` : ''} | ${r.seconds.toFixed(1)} | ${r.retries} | ${r.kills} | ${r.rows} | ${r.diff ? `${r.diff.lost}/${r.diff.extra}/${r.diff.duplicated}/${r.diff.different}` : '-'} | ${r.change} |`,
    ),
    '',
  ].join('\n');
  mkdirSync(path.dirname(args.report), { recursive: true });
  await writeGeneratedDoc(args.report, 'Reliability', 'npm run soak', report);
  console.log(`report: ${args.report}`);
  console.log(
    `${runs.length} runs, ${runs.filter((r) => r.outcome === 'ok').length} ok, ${compared.length} compared; rows lost/extra/duplicated/different: ${sum('lost')}/${sum('extra')}/${sum('duplicated')}/${sum('different')}`,
  );
  // A soak passes when nothing was lost, duplicated or different, and runs did complete.
  return bad === 0 && compared.length > 0 ? 0 : 1;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
