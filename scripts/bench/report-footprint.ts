// The report's memory and ClickHouse parts sections: the worker's RSS per load, sampled from /proc,
// and the parts each load created, per table and per 100k rows.
import { int, markdownTable, mb, median, medianOf, sec } from './report-format';
import type { IncrementalRun, Run, SizeResult } from './results';

export const rowsOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

interface Load {
  name: string;
  runs: Run[];
  /** Rows the load stores (full loads); undefined for incremental runs. */
  rows?: number;
}

/** The loads of one size, in the report's order, those that ran. */
export function loadsOf(r: SizeResult, withLoaders = true): Load[] {
  const all = r.allResources;
  const loads: Load[] = [
    { name: 'pipeline, full', runs: r.pipeline, rows: rowsOf(r.counts) },
    { name: 'pipeline, incremental', runs: r.incremental },
    ...(withLoaders
      ? [
          { name: 'raw limit', runs: r.raw, rows: rowsOf(r.counts) },
          { name: 'plain limit', runs: r.plain ?? [], rows: rowsOf(r.counts) },
        ]
      : []),
    ...(all
      ? [
          { name: 'pipeline, 16 resources, full', runs: all.pipeline, rows: rowsOf(all.counts) },
          { name: 'pipeline, 16 resources, incremental', runs: all.incremental },
        ]
      : []),
  ];
  return loads.filter((l) => l.runs.length > 0);
}

/** The worker's peak RSS over the four resources' loads (what the target reads), MB. */
export function workerPeakOf(r: SizeResult): number | undefined {
  const peaks = [...r.pipeline, ...r.incremental].flatMap((x) => (x.memory ? [x.memory.peakMb] : []));
  return peaks.length ? Math.max(...peaks) : r.workerPeakMb;
}

export function memoryTable(results: SizeResult[]): string[] {
  const rows = results.flatMap((r) =>
    loadsOf(r, false).map((load) => {
      const first = load.runs.find((x) => x.memory)?.memory;
      return [
        r.size,
        load.name,
        mb(medianOf(load.runs, (x) => x.memory?.startMb)),
        mb(medianOf(load.runs, (x) => x.memory?.peakMb)),
        first ? `${sec(first.peakAtSeconds)} s of ${sec(first.seconds)} s` : '–',
        mb(medianOf(load.runs, (x) => x.memory?.hwmMb)),
        first ? String(Math.max(...load.runs.map((x) => x.memory?.processes ?? 1))) : '–',
      ];
    }),
  );
  return markdownTable(
    ['size', 'load', 'RSS at start', 'peak RSS', 'peak sampled at (first run)', 'VmHWM', 'processes'],
    rows,
    2,
  );
}

export function lifetimeLines(results: SizeResult[]): string[] {
  return results.map(
    (r) =>
      `- ${r.size}: the worker's peak over its whole life (start-up and every load, VmHWM) ${mb(r.workerPeakMb)}; ` +
      `the local API server's ${mb(r.apiPeakMb)}.`,
  );
}

export function partsTable(results: SizeResult[]): string[] {
  const rows = results.flatMap((r) =>
    loadsOf(r).map((load) => {
      const parts = medianOf(load.runs, (x) => x.parts?.total);
      const written =
        load.rows ??
        median((load.runs as IncrementalRun[]).map((x) => x.changed).filter((x) => x !== undefined));
      return [
        r.size,
        load.name,
        int(written),
        int(parts),
        load.rows ? (isFinite(parts) ? ((parts * 100_000) / load.rows).toFixed(1) : '–') : '–',
        isFinite(parts) ? (parts / median(load.runs.map((x) => x.pages))).toFixed(2) : '–',
      ];
    }),
  );
  return markdownTable(
    ['size', 'load', 'rows (changed)', 'parts created', 'parts per 100k rows', 'parts per page'],
    rows,
    2,
  );
}

/** Parts per table for one size (the largest measured): which tables the parts go to. */
export function partsByTableTable(r: SizeResult): string[] {
  const loads = loadsOf(r).filter((l) => l.runs[0]?.parts);
  const tables = [...new Set(loads.flatMap((l) => Object.keys(l.runs[0].parts!.byTable)))].sort();
  const short = (name: string) => name.replace('pipeline, 16 resources', '16 res.').replace('pipeline, ', '');
  return markdownTable(
    ['table', ...loads.map((l) => short(l.name))],
    tables.map((t) => [t, ...loads.map((l) => int(l.runs[0].parts!.byTable[t] ?? 0))]),
  );
}
