// Progress on a terminal: one bar per resource, filled by the parts read, redrawn in place.
import { strict as assert } from 'assert';
import { progressLines, TerminalBars } from '../../client/progress-bars';
import type { ResourceProgress } from '../../domain/types';
import { emptyTotals } from '../../domain/totals';

const state = (partsDone: number, parts: number, pages: number, rows: number): ResourceProgress => ({
  ...emptyTotals(),
  syncId: 'r',
  partsDone,
  parts,
  pages,
  rows,
});

describe('progress bars', () => {
  it('fills each bar by the parts read and says pages and rows', () => {
    const lines = progressLines(
      ['projects', 'entries', 'absences'],
      new Map([
        ['entries', state(3, 12, 30, 25_000)],
        ['projects', state(1, 1, 2, 1200)],
      ]),
    );
    assert.deepEqual(lines, [
      'projects [####################] 1/1 parts, 2 pages, 1200 written, 0 unchanged',
      'entries  [#####...............] 3/12 parts, 30 pages, 25000 written, 0 unchanged',
      'absences [                    ] waiting',
    ]);
  });

  it('redraws in place: up over the lines it drew, each line cleared', () => {
    let out = '';
    const bars = new TerminalBars({ write: (t: string) => (out += t) }, ['a', 'b']);
    bars.update(new Map([['a', state(0, 2, 1, 10)]]));
    assert.ok(!out.includes('\x1b[2A'), 'nothing to go up over the first time');
    assert.equal(out.split('\x1b[2K').length - 1, 2);
    out = '';
    bars.update(new Map([['a', state(2, 2, 3, 30)]]));
    assert.ok(out.startsWith('\x1b[2A'), JSON.stringify(out));
    assert.match(out, /a \[#{20}\] 2\/2 parts/);
  });
});
