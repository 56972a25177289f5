// Figures from before issue #19's changes, kept on the page so a regenerated report shows before and
// after: the report of 2026-11-30 (this machine, the seed's four resources), and what the issue's
// author measured on a Clockodo-compatible server of their own.
import { markdownTable } from './report-format';

export function previousFigures(): string[] {
  return [
    'The report of 2026-11-30 (`--sizes S,M,L --runs 3 --runs-at-l 2`, the four resources, this machine; medians):',
    '',
    ...markdownTable(
      ['size', 'full sync', 'raw limit', 'pipeline / raw', 'dlt', 'incremental (share)', 'worker peak RSS'],
      [
        ['M (200,000 entries)', '25.4 s', '14.1 s', '1.81x', '194.3 s', '2.59 s (10.2%)', '310 MB'],
        ['L (1,000,000 entries)', '204.3 s', '99.1 s', '2.06x', '–', '13.0 s (6.4%)', '376 MB'],
      ],
    ),
    '',
    "Measured independently by the issue's author, on a Clockodo-compatible server of their own (not this " +
      'machine, not the local API server):',
    '',
    ...markdownTable(
      ['entries', 'plain loader', 'this pipeline', 'ratio', 'dlt', 'worker peak RSS'],
      [
        ['200,000', '3.8 s', '12.4 s', '3.3x', '71.9 s', '—'],
        ['1,000,000', '21.4 s', '62.3 s (all 16 resources)', '2.9x', '—', '406 MB'],
      ],
    ),
  ];
}
