// Running totals of a resource's sync: what pages and reads add up to.
import type { PageResult, ReadFacts, RecordCounts, ResourceTotals } from './types';
import { laterIso } from './windows';

export const emptyTotals = (): ResourceTotals => ({
  pages: 0,
  records: 0,
  rows: 0,
  unchanged: 0,
  stale: 0,
  quarantined: 0,
  shapeWarnings: 0,
  deleted: 0,
  heldBack: 0,
  retries: 0,
});

export function sumTotals(a: ResourceTotals, b: ResourceTotals): ResourceTotals {
  return {
    pages: a.pages + b.pages,
    records: a.records + b.records,
    rows: a.rows + b.rows,
    unchanged: a.unchanged + b.unchanged,
    stale: a.stale + b.stale,
    quarantined: a.quarantined + b.quarantined,
    shapeWarnings: a.shapeWarnings + b.shapeWarnings,
    deleted: a.deleted + b.deleted,
    heldBack: a.heldBack + b.heldBack,
    retries: a.retries + b.retries,
  };
}

/** A read attempt's facts as totals (records past a window's end count in the window that holds them). */
export function factsTotals(f: ReadFacts): ResourceTotals {
  return {
    ...emptyTotals(),
    pages: f.pages,
    records: f.records - (f.outside ?? 0),
    rows: f.written,
    unchanged: f.unchanged,
    stale: f.stale,
    quarantined: f.quarantined,
    shapeWarnings: f.shapeWarnings,
    retries: f.retries,
  };
}

/** Quarantined records a run names: the first few, each once. */
export const MAX_QUARANTINE_SAMPLES = 3;

/** `a` and then what `b` adds, each once, at most MAX_QUARANTINE_SAMPLES. */
export function mergeSamples(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!b?.length) return a;
  const merged = [...new Set([...(a ?? []), ...b])].slice(0, MAX_QUARANTINE_SAMPLES);
  return merged;
}

const COUNTS: (keyof RecordCounts)[] = [
  'records',
  'written',
  'unchanged',
  'stale',
  'quarantined',
  'shapeWarnings',
  'retries',
  'outside',
];

/** Adds a page's facts to a read's facts (counts add up; count_items bounds widen). */
export function addPageFacts(f: ReadFacts, p: PageResult): ReadFacts {
  const min = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const max = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
  // Results recorded before a count existed lack it: it counts as 0.
  const counts = Object.fromEntries(
    COUNTS.map((k) => [k, (f[k] ?? 0) + (p[k] ?? 0)]),
  ) as unknown as RecordCounts;
  return {
    ...f,
    ...counts,
    quarantineSamples: mergeSamples(f.quarantineSamples, p.quarantineSamples),
    pages: f.pages + 1,
    countItemsMin: min(f.countItemsMin, p.countItems),
    countItemsMax: max(f.countItemsMax, p.countItems),
    cursorMax: laterIso(f.cursorMax, p.cursorMax),
  };
}

export const emptyFacts = (): ReadFacts => ({
  pages: 0,
  records: 0,
  written: 0,
  unchanged: 0,
  stale: 0,
  quarantined: 0,
  shapeWarnings: 0,
  retries: 0,
  complete: true,
});
