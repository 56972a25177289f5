// docs/benchmark.md from the benchmark's measurements: the figures, the targets, the machine and
// how to reproduce them. Figures are medians over the runs, with the range beside them.
import { execFileSync } from 'child_process';
import { cpus, totalmem } from 'os';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../config/settings';
import type { Diff } from '../../test/e2e/compare';
import type { BenchSize, SizeName } from './sizes';
import type { TemporalCost } from './temporal-overhead';

export interface ServerCost {
  requests: number;
  servingMs: number;
  cpuMs: number;
}

export interface Run {
  seconds: number;
  server: ServerCost;
  pages: number;
  /** CPU seconds per process during the load. */
  cpu: Record<string, number>;
}

export interface SizeResult {
  size: SizeName;
  spec: BenchSize;
  counts: Record<string, number>;
  pipeline: Run[];
  raw: Run[];
  dlt: Run[];
  incremental: (Run & { changed: number })[];
  checks: { what: string; diff: Diff }[];
  temporal?: TemporalCost;
  workerPeakMb?: number;
  apiPeakMb?: number;
  dltVersion?: string;
}

export interface BenchReport {
  date: Date;
  args: string[];
  runs: number;
  results: SizeResult[];
  clickhouseVersion: string;
}

export const TARGETS = {
  rawRatioAtL: 1.3,
  incrementalShare: 0.05,
  workerPeakMbAtL: 300,
  dltSpeedupAtM: 5,
};

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sec = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (x: number) => (isFinite(x) ? `${x.toFixed(2)}x` : '–');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** "12.3 s (11.9–13.0)": the median and the range of the runs. */
function timing(runs: Run[]): string {
  if (runs.length === 0) return '–';
  const xs = runs.map((r) => r.seconds);
  const m = median(xs);
  return runs.length === 1 ? `${sec(m)} s` : `${sec(m)} s (${sec(Math.min(...xs))}–${sec(Math.max(...xs))})`;
}

/** A Markdown table: the header, then one row per list of cells; the first `left` columns align left, the rest right. */
function markdownTable(header: string[], rows: string[][], left = 1): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    `|${header.map((_, i) => (i < left ? '---' : '---:')).join('|')}|`,
    ...rows.map(line),
  ];
}

const rowsOf = (r: SizeResult) => Object.values(r.counts).reduce((a, b) => a + b, 0);
const med = (runs: Run[]) => median(runs.map((r) => r.seconds));

function machine(clickhouseVersion: string): string[] {
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      return 'unknown';
    }
  };
  const temporal = path.join(PROJECT_ROOT, '.services/temporal-cli/bin/temporal');
  return [
    `- CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; memory ${Math.round(totalmem() / 2 ** 30)} GiB`,
    `- Node.js ${process.version}; ClickHouse ${clickhouseVersion}; ` +
      `Temporal ${existsSync(temporal) ? version(temporal, ['--version']) : 'unknown'} (dev server, SQLite)`,
    '- Everything on the one machine: API server, worker, Temporal, ClickHouse and the loaders share the cores.',
  ];
}

function fullTable(results: SizeResult[]): string[] {
  return markdownTable(
    ['size', 'rows', 'pipeline', 'rows/s', 'raw limit', 'pipeline / raw', 'dlt', 'dlt / pipeline'],
    results.map((r) => {
      const p = med(r.pipeline);
      return [
        `${r.size} (${int(r.spec.entries)} entries)`,
        int(rowsOf(r)),
        timing(r.pipeline),
        int(rowsOf(r) / p),
        timing(r.raw),
        ratio(p / med(r.raw)),
        timing(r.dlt),
        r.dlt.length ? ratio(med(r.dlt) / p) : '–',
      ];
    }),
  );
}

function incrementalTable(results: SizeResult[]): string[] {
  return markdownTable(
    [
      'size',
      'entries changed',
      'incremental run',
      'share of the full sync',
      'pages read (full sync)',
      'rows read',
    ],
    results.map((r) => [
      r.size,
      int(r.incremental[0]?.changed ?? 0),
      timing(r.incremental),
      pct(med(r.incremental) / med(r.pipeline)),
      `${int(median(r.incremental.map((i) => i.pages)))} (${int(median(r.pipeline.map((i) => i.pages)))})`,
      `${int(median(r.incremental.map((i) => i.server.requests)))} requests`,
    ]),
  );
}

function costTable(results: SizeResult[]): string[] {
  const header = [
    'size',
    'API server CPU (pipeline run)',
    'worker peak RSS',
    'Temporal server CPU per page',
    'worker CPU per page, pipeline − raw loader',
    'page dispatch, median (p95)',
    'page activity, median',
    'extra wall time per page vs raw',
  ];
  return markdownTable(
    header,
    results.map((r) => {
      const cpu = median(r.pipeline.map((x) => x.server.cpuMs)) / 1000;
      const t = r.temporal;
      const pages = median(r.pipeline.map((x) => x.pages));
      const perPage = (runs: Run[], name: string) =>
        median(runs.map((x) => ((x.cpu[name] ?? NaN) * 1000) / x.pages));
      const sdk = perPage(r.pipeline, 'worker') - perPage(r.raw, 'raw loader');
      const extra = ((med(r.pipeline) - med(r.raw)) * 1000) / pages;
      return [
        r.size,
        `${sec(cpu)} s (${pct(cpu / med(r.raw))} of the raw wall time)`,
        `${int(r.workerPeakMb ?? NaN)} MB`,
        `${perPage(r.pipeline, 'Temporal').toFixed(1)} ms`,
        `${sdk.toFixed(1)} ms`,
        t ? `${int(t.dispatchMedianMs)} ms (${int(t.dispatchP95Ms)} ms)` : '–',
        t ? `${int(t.activityMedianMs)} ms` : '–',
        `${extra.toFixed(1)} ms`,
      ];
    }),
  );
}

function cpuTable(results: SizeResult[]): string[] {
  const names = ['worker', 'raw loader', 'API server', 'ClickHouse', 'Temporal'];
  const rows = results.flatMap((r) =>
    (
      [
        ['pipeline, full', r.pipeline],
        ['raw limit', r.raw],
        ['pipeline, incremental', r.incremental],
      ] as const
    )
      .filter(([, runs]) => runs.length > 0)
      .map(([load, runs]) => {
        const cpuOf = (name: string) => median(runs.map((x) => x.cpu[name] ?? 0));
        const all = names.reduce((n, k) => n + (cpuOf(k) || 0), 0);
        return [
          r.size,
          load,
          `${sec(med(runs))} s`,
          ...names.map((k) => (cpuOf(k) ? `${sec(cpuOf(k))} s` : '–')),
          `${sec(all)} s`,
        ];
      }),
  );
  return markdownTable(['size', 'load', 'wall', ...names, 'CPU in all'], rows, 2);
}

function growthTable(results: SizeResult[]): string[] {
  return markdownTable(
    ['size', 'rows', 'pipeline, s per 100k rows', 'raw, s per 100k rows'],
    results.map((r) => {
      const per = (s: number) => ((s * 100_000) / rowsOf(r)).toFixed(2);
      return [r.size, int(rowsOf(r)), per(med(r.pipeline)), per(med(r.raw))];
    }),
  );
}

function targets(results: SizeResult[]): string[] {
  const by = (s: SizeName) => results.find((r) => r.size === s);
  const L = by('L');
  const M = by('M');
  const row = (target: string, measured: string, met: boolean | undefined) =>
    `| ${target} | ${measured} | ${met === undefined ? 'not measured' : met ? 'met' : '**not met**'} |`;
  const lines = ['| target | measured | |', '|---|---|---|'];
  lines.push(
    L
      ? row(
          `full sync of L within ${TARGETS.rawRatioAtL}x the raw limit`,
          ratio(med(L.pipeline) / med(L.raw)),
          med(L.pipeline) / med(L.raw) <= TARGETS.rawRatioAtL,
        )
      : row(`full sync of L within ${TARGETS.rawRatioAtL}x the raw limit`, '–', undefined),
  );
  for (const r of results) {
    const share = med(r.incremental) / med(r.pipeline);
    lines.push(
      row(
        `incremental run at ${r.size} within 5% of the full sync`,
        pct(share),
        share <= TARGETS.incrementalShare,
      ),
    );
  }
  lines.push(
    L
      ? row(
          'worker peak memory under 300 MB at L',
          `${int(L.workerPeakMb ?? NaN)} MB`,
          (L.workerPeakMb ?? Infinity) < TARGETS.workerPeakMbAtL,
        )
      : row('worker peak memory under 300 MB at L', '–', undefined),
  );
  lines.push(
    M && M.dlt.length
      ? row(
          'at least 5x faster than dlt at M',
          ratio(med(M.dlt) / med(M.pipeline)),
          med(M.dlt) / med(M.pipeline) >= TARGETS.dltSpeedupAtM,
        )
      : row('at least 5x faster than dlt at M', '–', undefined),
  );
  const sizes = results.filter((r) => r.size !== 'S');
  if (sizes.length >= 2) {
    const per = (r: SizeResult) => med(r.pipeline) / rowsOf(r);
    const growth = per(sizes[sizes.length - 1]) / per(sizes[0]);
    lines.push(
      row(
        'no super-linear growth from S to L',
        `time per row at ${sizes[sizes.length - 1].size} is ${growth.toFixed(2)}x that at ${sizes[0].size}`,
        growth <= 1.25,
      ),
    );
  }
  return lines;
}

function checks(results: SizeResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(
      `- ${r.size}: every load's count of distinct records per resource equals the server's (${Object.entries(
        r.counts,
      )
        .map(([k, v]) => `${k} ${int(v)}`)
        .join(', ')}).`,
    );
    for (const c of r.checks) {
      const d = c.diff;
      lines.push(
        `  ${c.what}: ${d.lost} lost, ${d.extra} extra, ${d.duplicated} duplicated, ${d.different} different` +
          (d.floatUlp
            ? ` (${d.floatUlp} rows with a float one unit in the last place off, a ClickHouse 18.16 parsing quirk)`
            : ''),
      );
    }
  }
  return lines;
}

/** A Markdown section: a blank line, its heading, a blank line, its lines. */
const section = (title: string, ...lines: string[]) => ['', `## ${title}`, '', ...lines];

export function renderReport(report: BenchReport): string {
  const { results } = report;
  const dltVersion = results.find((r) => r.dltVersion)?.dltVersion;
  const notesFile = path.join(__dirname, 'notes.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8').trim() : '';
  return [
    `Generated by \`npm run bench -- ${report.args.join(' ')}\` on ${report.date.toISOString().slice(0, 16).replace('T', ' ')} UTC. ` +
      `Each figure is the median of the runs at its size (${results.map((r) => `${r.size}: ${r.pipeline.length || r.raw.length}`).join(', ')}; the range in brackets). ` +
      'The command writes this part of the page; the notes at the end come from `scripts/bench/notes.md`.',
    ...section('Machine', ...machine(report.clickhouseVersion)),
    ...section(
      'Loaders',
      '- **pipeline**: this project as users run it: a worker process (`npm run worker`), a sync started through Temporal into an empty database (a first sync reads the whole history), every page an activity, merge decisions, seen ids, consistency checks and deletions included.',
      '- **raw limit**: `scripts/bench/raw-loader.ts`, the same source configuration with no orchestration: the same HTTP client with keep-alive, the same page size and requests in flight (16), the same row mapping into tables of the same kind, one insert per page, nothing else.',
      `- **dlt**: dlt's \`rest_api_source\` with the seed's configuration, into DuckDB (${dltVersion ? `dlt ${dltVersion}` : 'not run'}; \`scripts/bench/dlt_peer.py\`).`,
      '- All read the same local API server (a process of its own), whose own serving time is measured so that a slow server can neither hide nor fake a result.',
    ),
    ...section('Full sync', ...fullTable(results)),
    ...section(
      'Incremental run after 0.1% of the entries changed',
      'The changes are edits of entries from the last three weeks (new text, new `time_last_change`), as people correct recent time. The run reads what an incremental run reads (the lists of projects, customers and absences in full, entries from the cursor minus the lookback) and must write exactly the changed entries.',
      '',
      ...incrementalTable(results),
    ),
    ...section(
      'Where the time goes',
      ...costTable(results),
      '',
      "- API server CPU: the server's own cost of answering during a pipeline run; the raw loader pays about the same.",
      "- Temporal's overhead per page activity, in CPU: the Temporal server's CPU during a full sync divided by its pages (scheduling, dispatching and completing the activity, the workflow task that follows, persistence), and what the worker spends beyond the raw loader per page (the SDK's activations and workflow thread, the page's seen ids, the stored-state comparison).",
      '- Page dispatch: from a page activity being scheduled to a worker starting it; page activity: its start to its completion (the request and its writes); both from the histories of the first run, on a machine with every core busy.',
      '- Extra wall time per page: (pipeline − raw) / pages.',
      '',
      'CPU seconds per process during each load (medians), on a machine with ' + cpus().length + ' cores:',
      '',
      ...cpuTable(results),
    ),
    ...section('Growth', ...growthTable(results)),
    ...section('Targets', ...targets(results)),
    ...section('Checks', ...checks(results)),
    ...section(
      'Reproduce',
      '```',
      `npm run bench -- ${report.args.join(' ')}`,
      '```',
      '',
      '`npm run bench` installs and starts what it needs (the Temporal dev server, ClickHouse, dlt in `.services/dlt`) and stops what it started. Sizes: ' +
        results
          .map(
            (r) =>
              `${r.size} = ${int(r.spec.entries)} entries, ${int(r.spec.projects)} projects, ${int(r.spec.customers)} customers, ${int(r.spec.absencesPerYear)} absences a year over ${r.spec.years} years`,
          )
          .join('; ') +
        '.',
    ),
    ...(notes ? ['', notes] : []),
    '',
  ].join('\n');
}
