// How the report writes figures and tables: medians over runs, seconds, counts, ratios, Markdown.
import type { Run } from './results';

export const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const sec = (x: number) => (!isFinite(x) ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
export const int = (x: number) => (isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
export const ratio = (x: number) => (isFinite(x) ? `${x.toFixed(2)}x` : '–');
export const pct = (x: number) => (isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
export const mb = (x: number | undefined) => (x !== undefined && isFinite(x) ? `${int(x)} MB` : '–');

/** The median wall time of some runs, seconds (NaN for none). */
export const med = (runs: Run[] | undefined) => median((runs ?? []).map((r) => r.seconds));

/** The median of one figure over the runs that have it. */
export const medianOf = (runs: Run[] | undefined, f: (r: Run) => number | undefined) =>
  median((runs ?? []).map(f).filter((x): x is number => x !== undefined && isFinite(x)));

/** "12.3 s (11.9–13.0)": the median and the range of the runs. */
export function timing(runs: Run[] | undefined): string {
  if (!runs || runs.length === 0) return '–';
  const xs = runs.map((r) => r.seconds);
  const m = median(xs);
  return runs.length === 1 ? `${sec(m)} s` : `${sec(m)} s (${sec(Math.min(...xs))}–${sec(Math.max(...xs))})`;
}

/** A Markdown table: the header, then one row per list of cells; the first `left` columns align left, the rest right. */
export function markdownTable(header: string[], rows: string[][], left = 1): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    `|${header.map((_, i) => (i < left ? '---' : '---:')).join('|')}|`,
    ...rows.map(line),
  ];
}

/** A Markdown section: a blank line, its heading, a blank line, its lines. */
export const section = (title: string, ...lines: string[]) => ['', `## ${title}`, '', ...lines];

/** The longest line a generated page may have (the docs' limit). */
export const MAX_LINE = 200;

/** Lines of a formatted page longer than MAX_LINE. */
export const overlongLines = (page: string) => page.split('\n').filter((l) => l.length > MAX_LINE);
