// The targets (#19), each against what this report measured, or "not measured" when the
// run left out its size or loader.
import { rowsOf, workerPeakOf } from './report-footprint';
import { markdownTable, mb, med, pct, ratio } from './report-format';

const percent = (x: number) => `${Math.round(100 * x)}%`;
import type { SizeResult } from './results';
import type { SizeName } from './sizes';

export const TARGETS = {
  rawRatioAtL: 1.3,
  plainRatioAtL: 1.6,
  incrementalShareAtL: 0.05,
  incrementalShareAtM: 0.1,
  workerPeakMbAtL: 300,
  growthMToL: 1.1,
  dltSpeedupAtM: 8,
};

type Verdict = [target: string, measured: string, met: boolean | undefined];

export function targets(results: SizeResult[]): string[] {
  const by = (s: SizeName) => results.find((r) => r.size === s);
  const L = by('L');
  const M = by('M');
  const measured = (x: number) => isFinite(x);
  const check = (target: string, value: number, shown: (x: number) => string, ok: (x: number) => boolean) =>
    [target, measured(value) ? shown(value) : '–', measured(value) ? ok(value) : undefined] as Verdict;
  const share = (r: SizeResult | undefined) => (r ? med(r.incremental) / med(r.pipeline) : NaN);
  const per100k = (r: SizeResult | undefined) => (r ? med(r.pipeline) / rowsOf(r.counts) : NaN);
  const verdicts: Verdict[] = [
    check(
      `full sync at L within ${TARGETS.rawRatioAtL}x the raw loader`,
      L ? med(L.pipeline) / med(L.raw) : NaN,
      ratio,
      (x) => x <= TARGETS.rawRatioAtL,
    ),
    check(
      `full sync at L within ${TARGETS.plainRatioAtL}x the plain loader`,
      L ? med(L.pipeline) / med(L.plain) : NaN,
      ratio,
      (x) => x <= TARGETS.plainRatioAtL,
    ),
    check(
      `incremental run after 0.1% changed within ${percent(TARGETS.incrementalShareAtL)} of the full sync at L`,
      share(L),
      pct,
      (x) => x <= TARGETS.incrementalShareAtL,
    ),
    check(
      `incremental run after 0.1% changed within ${percent(TARGETS.incrementalShareAtM)} of the full sync at M`,
      share(M),
      pct,
      (x) => x <= TARGETS.incrementalShareAtM,
    ),
    check(
      `worker peak RSS under ${TARGETS.workerPeakMbAtL} MB at L`,
      (L && workerPeakOf(L)) ?? NaN,
      mb,
      (x) => x < TARGETS.workerPeakMbAtL,
    ),
    check(
      `time per 100k rows at L at most ${TARGETS.growthMToL}x that at M`,
      per100k(L) / per100k(M),
      ratio,
      (x) => x <= TARGETS.growthMToL,
    ),
    check(
      `at least ${TARGETS.dltSpeedupAtM}x faster than dlt at M`,
      M && M.dlt.length ? med(M.dlt) / med(M.pipeline) : NaN,
      ratio,
      (x) => x >= TARGETS.dltSpeedupAtM,
    ),
  ];
  return markdownTable(
    ['target', 'measured', ''],
    verdicts.map(([t, m, met]) => [t, m, met === undefined ? 'not measured' : met ? 'met' : '**not met**']),
    3,
  );
}
