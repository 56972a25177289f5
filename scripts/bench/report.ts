// docs/benchmark.md from the benchmark's measurements: the figures, the targets, the machine and
// how to reproduce them. Figures are medians over the runs, with the range beside them. Tables are
// kept narrow enough that no formatted line passes 200 characters (wide ones are split).
import { execFileSync } from 'child_process';
import { cpus, totalmem } from 'os';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../config/settings';
import { previousFigures } from './previous-figures';
import {
  lifetimeLines,
  memoryTable,
  partsByTableTable,
  partsTable,
  rowsOf,
  workerPeakOf,
} from './report-footprint';
import { int, markdownTable, mb, med, median, pct, ratio, sec, section, timing } from './report-format';
import { targets } from './report-targets';
import {
  actionsByActivityTable,
  actionsTable,
  incrementalStepLines,
  workflowTypeLines,
} from './report-temporal';
import type { BenchReport, Run, SizeResult } from './results';

export type { BenchReport, SizeResult } from './results';

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

const sizeLabel = (r: SizeResult) => `${r.size} (${int(r.spec.entries)} entries)`;

function fullTable(results: SizeResult[]): string[] {
  return markdownTable(
    ['size', 'rows', 'pipeline', 'rows/s', 'raw limit', 'plain limit', 'dlt'],
    results.map((r) => [
      sizeLabel(r),
      int(rowsOf(r.counts)),
      timing(r.pipeline),
      int(rowsOf(r.counts) / med(r.pipeline)),
      timing(r.raw),
      timing(r.plain),
      timing(r.dlt),
    ]),
  );
}

function ratioTable(results: SizeResult[]): string[] {
  return markdownTable(
    ['size', 'pipeline / raw', 'pipeline / plain', 'raw / plain', 'dlt / pipeline'],
    results.map((r) => {
      const p = med(r.pipeline);
      return [
        sizeLabel(r),
        ratio(p / med(r.raw)),
        ratio(p / med(r.plain)),
        ratio(med(r.raw) / med(r.plain)),
        r.dlt.length ? ratio(med(r.dlt) / p) : '–',
      ];
    }),
  );
}

function allResourcesTable(results: SizeResult[]): string[] {
  const rows = results.flatMap((r) => {
    const a = r.allResources;
    if (!a) return [];
    const full = med(a.pipeline);
    const parts = median(a.pipeline.flatMap((x) => (x.parts ? [x.parts.total] : [])));
    const peaks = [...a.pipeline, ...a.incremental].flatMap((x) => (x.memory ? [x.memory.peakMb] : []));
    return [
      [
        sizeLabel(r),
        String(Object.keys(a.counts).length),
        int(rowsOf(a.counts)),
        timing(a.pipeline),
        int(rowsOf(a.counts) / full),
        timing(a.incremental),
        pct(med(a.incremental) / full),
        mb(peaks.length ? Math.max(...peaks) : undefined),
        isFinite(parts) ? ((parts * 100_000) / rowsOf(a.counts)).toFixed(1) : '–',
      ],
    ];
  });
  if (rows.length === 0) return [];
  return markdownTable(
    [
      'size',
      'resources',
      'rows',
      'full sync',
      'rows/s',
      'incremental',
      'share of the full sync',
      'worker peak RSS',
      'parts per 100k rows',
    ],
    rows,
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
      int(r.incremental[0]?.changed ?? NaN),
      timing(r.incremental),
      pct(med(r.incremental) / med(r.pipeline)),
      `${int(median(r.incremental.map((i) => i.pages)))} (${int(median(r.pipeline.map((i) => i.pages)))})`,
      `${int(median(r.incremental.map((i) => i.server.requests)))} requests`,
    ]),
  );
}

const perPage = (runs: Run[], name: string) =>
  median(runs.map((x) => ((x.cpu[name] ?? NaN) * 1000) / x.pages));

/** What the pipeline costs beyond the raw loader, per page; two tables, each under 200 characters. */
function costTables(results: SizeResult[]): string[] {
  const first = markdownTable(
    [
      'size',
      'API server CPU (pipeline run)',
      'Temporal server CPU per page',
      'worker CPU per page − raw loader',
    ],
    results.map((r) => {
      const cpu = median(r.pipeline.map((x) => x.server.cpuMs)) / 1000;
      const sdk = perPage(r.pipeline, 'worker') - perPage(r.raw, 'raw loader');
      return [
        r.size,
        `${sec(cpu)} s (${pct(cpu / med(r.raw))} of the raw wall time)`,
        `${perPage(r.pipeline, 'Temporal').toFixed(1)} ms`,
        `${sdk.toFixed(1)} ms`,
      ];
    }),
  );
  const second = markdownTable(
    ['size', 'page dispatch, median (p95)', 'page activity, median', 'extra wall time per page vs raw'],
    results.map((r) => {
      const t = r.temporal;
      const pages = median(r.pipeline.map((x) => x.pages));
      const extra = ((med(r.pipeline) - med(r.raw)) * 1000) / pages;
      return [
        r.size,
        t ? `${int(t.dispatchMedianMs)} ms (${int(t.dispatchP95Ms)} ms)` : '–',
        t ? `${int(t.activityMedianMs)} ms` : '–',
        `${extra.toFixed(1)} ms`,
      ];
    }),
  );
  return [...first, '', ...second];
}

function cpuTable(results: SizeResult[]): string[] {
  const names = ['worker', 'raw loader', 'plain loader', 'API server', 'ClickHouse', 'Temporal'];
  const rows = results.flatMap((r) =>
    (
      [
        ['pipeline, full', r.pipeline],
        ['raw limit', r.raw],
        ['plain limit', r.plain ?? []],
        ['pipeline, incremental', r.incremental],
        ['16 resources, full', r.allResources?.pipeline ?? []],
        ['16 resources, incremental', r.allResources?.incremental ?? []],
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
    ['size', 'rows', 'pipeline, s per 100k rows', 'raw, s per 100k rows', 'plain, s per 100k rows'],
    results.map((r) => {
      const per = (s: number) => (isFinite(s) ? ((s * 100_000) / rowsOf(r.counts)).toFixed(2) : '–');
      return [r.size, int(rowsOf(r.counts)), per(med(r.pipeline)), per(med(r.raw)), per(med(r.plain))];
    }),
  );
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
    if (r.allResources) {
      lines.push(
        `  - With all ${Object.keys(r.allResources.counts).length} resources, ` +
          `the pipeline's \`_current\` views hold the server's ${int(rowsOf(r.allResources.counts))} records, resource by resource.`,
      );
    }
    for (const c of r.checks) {
      const d = c.diff;
      lines.push(
        `  - ${c.what}: ${d.lost} lost, ${d.extra} extra, ${d.duplicated} duplicated, ${d.different} different` +
          (d.floatUlp
            ? ` (${d.floatUlp} rows with a float one unit in the last place off, a ClickHouse 18.16 parsing quirk)`
            : ''),
      );
    }
  }
  return lines;
}

export function renderReport(report: BenchReport): string {
  const { results } = report;
  const dltVersion = results.find((r) => r.dltVersion)?.dltVersion;
  const notesFile = path.join(__dirname, 'notes.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8').trim() : '';
  const largest = results[results.length - 1];
  const peaks = results.map((r) => `${r.size} ${mb(workerPeakOf(r))}`).join(', ');
  return [
    `Generated by \`npm run bench -- ${report.args.join(' ')}\` on ${report.date.toISOString().slice(0, 16).replace('T', ' ')} UTC. ` +
      `Each figure is the median of the runs at its size (${results.map((r) => `${r.size}: ${r.pipeline.length || r.raw.length}`).join(', ')}; the range in brackets). ` +
      'The command writes this part of the page; the notes at the end come from `scripts/bench/notes.md`.',
    ...section('Machine', ...machine(report.clickhouseVersion)),
    ...section(
      'Loaders',
      "- **pipeline**: this project as users run it: a worker process (`npm run worker`), a sync started through Temporal into an empty database (a first sync reads the whole history), merge decisions, seen ids, consistency checks and deletions included; the seed's four resources (projects, customers, absences, entries), which every loader reads.",
      '- **raw limit**: `scripts/bench/raw-loader.ts`, the same source configuration and the same four resources with no orchestration: the same HTTP client with keep-alive, the same page size and requests in flight (16), the same row mapping into tables of the same kind, one insert per page, nothing else.',
      "- **plain limit**: `scripts/bench/plain-loader.ts`, the physical limit: the same four resources and requests, keep-alive HTTP, 8 requests at once, 1000 records a page, one insert per page of the records exactly as the API returns them (JSONEachRow of the parsed objects with `input_format_skip_unknown_fields=1`: no mapping, no hashing, no bookkeeping columns) into a plain MergeTree table per resource whose columns are the API's top-level fields, typed (datetimes kept as the API's ISO text, which 18.16 cannot parse into DateTime; nested fields skipped).",
      `- **dlt**: dlt's \`rest_api_source\` with the seed's configuration, into DuckDB (${dltVersion ? `dlt ${dltVersion}` : 'not run'}; \`scripts/bench/dlt_peer.py\`).`,
      '- **pipeline, 16 resources** (`--all-resources`): the pipeline again, into a database of its own, on every resource of the default configuration (`config/sources/clockodo-v2.json`), full sync and incremental run.',
      '- All read the same local API server (a process of its own), whose own serving time is measured so that a slow server can neither hide nor fake a result. Each loader is timed from its first request.',
    ),
    ...section('Full sync', ...fullTable(results), '', ...ratioTable(results)),
    ...(results.some((r) => r.allResources)
      ? section(
          'Pipeline, 16 resources',
          'Full sync and incremental run (after 0.1% of the entries changed) on every resource of the default configuration:',
          '',
          ...allResourcesTable(results),
        )
      : []),
    ...section(
      'Incremental run after 0.1% of the entries changed',
      'The changes are edits of entries from the last three weeks (new text, new `time_last_change`), as people correct recent time. The run reads what an incremental run reads (the lists of projects, customers and absences in full, entries from the cursor minus the lookback) and must write exactly the changed entries.',
      '',
      ...incrementalTable(results),
    ),
    ...section(
      'Where the time goes',
      ...costTables(results),
      '',
      "- API server CPU: the server's own cost of answering during a pipeline run; the raw loader pays about the same.",
      "- Temporal's overhead per page, in CPU: the Temporal server's CPU during a full sync divided by its pages (scheduling, dispatching and completing activities, the workflow tasks that follow, persistence), and what the worker spends beyond the raw loader per page (the SDK's activations and workflow thread, the page's seen ids, the stored-state comparison).",
      '- Page dispatch: from a page activity (`fetchPage`, or `readPageRun` for a run of pages) being scheduled to a worker starting it; page activity: its start to its completion; both from the histories of the first run, on a machine with every core busy.',
      '- Extra wall time per page: (pipeline − raw) / pages.',
      '',
      'CPU seconds per process during each load (medians), on a machine with ' + cpus().length + ' cores:',
      '',
      ...cpuTable(results),
    ),
    ...section(
      "The worker's memory",
      "Resident memory of the worker process and any children it has, read from `/proc`: VmRSS sampled every 200 ms during each load (the peak, and when it came), and VmHWM, the kernel's own peak, reset at each load's start (`clear_refs`) so that it is that load's. Peak RSS is the larger of the two.",
      '',
      ...memoryTable(results),
      '',
      ...lifetimeLines(results),
    ),
    ...section(
      'ClickHouse parts',
      "Parts each load made ClickHouse create, per 100k rows stored: each part is a directory of files per column that the server writes and later merges, ClickHouse's main cost per insert. Counted from the tables' block numbers (`max(max_block_number)` in `system.parts`, merged-away parts included: each inserted part takes the next number, a merge none); for an incremental run, the difference before and after.",
      '',
      ...partsTable(results),
      ...(largest
        ? ['', `Per table at ${largest.size} (first run):`, '', ...partsByTableTable(largest)]
        : []),
    ),
    ...section(
      'Temporal actions',
      'What each run would be billed in Temporal Cloud actions, counted from the histories of all its workflow runs (the sync, its children, theirs, continue-as-new runs) by event type and activity type: workflow runs started (children, in brackets, are among them and not counted again), activity attempts (retries count), timers, signals, search-attribute upserts, markers (local activities and side effects; patch markers, `core_patch`, may not be billed: markers are listed by name below). Heartbeats leave no event: they are **estimated**, as at most one per 0.8 × the heartbeat timeout (8 s) that the SDK lets through, floor(run time / 8 s) per attempt.',
      '',
      ...actionsTable(results),
      '',
      'By activity type (queued: scheduled to started; running: started to closed; both summed):',
      '',
      ...actionsByActivityTable(results),
      '',
      'Workflow runs by type:',
      '',
      ...workflowTypeLines(results),
    ),
    ...section(
      'Incremental run, step by step',
      "The fixed chain an incremental run goes through, read from its histories: each workflow type and activity type in the order it first started, from the sync's start (first start, last end), with what it waited in task queues and how long it ran, summed over its executions (workflows: their workflow tasks).",
      ...incrementalStepLines(results),
    ),
    ...section('Growth', ...growthTable(results)),
    ...section('Targets', ...targets(results), '', `Worker peak RSS per size (four resources): ${peaks}.`),
    ...section('Previous figures', ...previousFigures()),
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
