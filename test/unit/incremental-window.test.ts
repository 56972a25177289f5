// The window an incremental run reads (cursor, lookback, horizon, start date) and its splitting for
// re-reads: bounds are inclusive, so windows must meet one second apart with no gap and no overlap.
import { strict as assert } from 'assert';
import type { TimeWindow } from '../../domain/types';
import {
  DAY_MS,
  HOUR_MS,
  incrementalWindow,
  isoSeconds,
  laterIso,
  parseUtc,
  planSlices,
  splitWindow,
  wholeDays,
  windowScope,
  WindowRules,
} from '../../domain/windows';

const NOW = Date.parse('2025-06-15T10:30:12.345Z');
const RULES: WindowRules = {
  startDatetime: '2023-01-01',
  endDatetime: 'now',
  lookbackDays: 31,
  horizonDays: 30,
  cursorMarginMs: 24 * HOUR_MS,
};

/** Slices are non-empty, inclusive, and each starts one second after the previous one ends. */
function assertTiles(slices: TimeWindow[], w: TimeWindow) {
  assert.ok(slices.length > 0);
  assert.equal(slices[0].since, w.since);
  assert.equal(slices[slices.length - 1].until, w.until);
  for (const s of slices) assert.ok(parseUtc(s.since) <= parseUtc(s.until), JSON.stringify(s));
  for (let i = 1; i < slices.length; i++) {
    assert.equal(parseUtc(slices[i].since), parseUtc(slices[i - 1].until) + 1000, `after slice ${i - 1}`);
  }
}

describe('incrementalWindow', () => {
  it('reads the whole window from the start date when there is no cursor yet', () => {
    assert.deepEqual(incrementalWindow(RULES, NOW, undefined), {
      since: '2023-01-01T00:00:00Z',
      until: '2025-07-15T10:30:12Z',
    });
  });

  it('goes back exactly lookbackDays from now, to the second, when the cursor is recent', () => {
    const w = incrementalWindow(RULES, NOW, '2025-06-15T09:00:00Z');
    // 31 days before 10:30:12.345, the fraction dropped (rounded down, so the window only widens).
    assert.equal(w.since, '2025-05-15T10:30:12Z');
    assert.equal(parseUtc(w.since), Math.floor((NOW - 31 * DAY_MS) / 1000) * 1000);
  });

  it('includes an entry starting exactly at the lookback second, not one a second earlier', () => {
    const w = incrementalWindow(RULES, NOW, '2025-06-15T09:00:00Z');
    const inside = (startIso: string) =>
      parseUtc(w.since) <= parseUtc(startIso) && parseUtc(startIso) <= parseUtc(w.until);
    assert.equal(inside('2025-05-15T10:30:12Z'), true);
    assert.equal(inside('2025-05-15T10:30:11Z'), false);
  });

  it('goes back to cursor minus the margin when the cursor is older than the lookback', () => {
    const w = incrementalWindow(RULES, NOW, '2025-03-10T08:15:30Z');
    assert.equal(w.since, '2025-03-09T08:15:30Z');
    assert.equal(w.until, '2025-07-15T10:30:12Z');
  });

  it('reads the cursor as an instant, honouring its zone', () => {
    const w = incrementalWindow(RULES, NOW, '2025-03-10T08:15:30+02:00');
    assert.equal(w.since, '2025-03-09T06:15:30Z');
  });

  it('never goes before the start date', () => {
    // Cursor minus margin before the start.
    assert.equal(incrementalWindow(RULES, NOW, '2023-01-01T12:00:00Z').since, '2023-01-01T00:00:00Z');
    // Lookback before the start (a start date only days ago).
    const recentStart = { ...RULES, startDatetime: '2025-06-01T06:00:00Z' };
    assert.equal(incrementalWindow(recentStart, NOW, '2025-06-15T09:00:00Z').since, '2025-06-01T06:00:00Z');
  });

  it('ends horizonDays after now, to the second', () => {
    const w = incrementalWindow(RULES, NOW, '2025-06-15T09:00:00Z');
    assert.equal(w.until, isoSeconds(NOW + 30 * DAY_MS));
    assert.equal(w.until, '2025-07-15T10:30:12Z');
    assert.equal(
      incrementalWindow({ ...RULES, horizonDays: 0 }, NOW, '2025-06-15T09:00:00Z').until,
      isoSeconds(NOW),
    );
  });

  it('uses a fixed end datetime as it is, without a horizon', () => {
    const fixed = { ...RULES, endDatetime: '2025-12-31T23:59:59Z' };
    assert.equal(incrementalWindow(fixed, NOW, '2025-06-15T09:00:00Z').until, '2025-12-31T23:59:59Z');
    assert.equal(incrementalWindow(fixed, NOW, undefined).until, '2025-12-31T23:59:59Z');
  });

  it('tiles a window across a year boundary with one-second steps', () => {
    const newYear = Date.parse('2025-01-10T12:00:00Z');
    const w = incrementalWindow({ ...RULES, horizonDays: 5 }, newYear, '2025-01-10T00:00:00Z');
    assert.deepEqual(w, { since: '2024-12-10T12:00:00Z', until: '2025-01-15T12:00:00Z' });
    const slices = planSlices(parseUtc(w.since), parseUtc(w.until), 7);
    assertTiles(slices, w);
    // The slice holding the turn of the year ends and starts on whole seconds either side of it.
    const turn = slices.find((s) => s.since < '2025-01-01' && s.until >= '2025-01-01');
    assert.deepEqual(turn, { since: '2024-12-31T12:00:00Z', until: '2025-01-07T11:59:59Z' });
  });
});

describe('splitWindow', () => {
  it('halves a window into two that tile it with a one-second step', () => {
    const w = { since: '2024-12-31T00:00:00Z', until: '2025-01-01T23:59:59Z' };
    const halves = splitWindow(w);
    assert.ok(halves);
    assert.deepEqual(halves, [
      { since: '2024-12-31T00:00:00Z', until: '2024-12-31T23:59:59Z' },
      { since: '2025-01-01T00:00:00Z', until: '2025-01-01T23:59:59Z' },
    ]);
    assertTiles(halves, w);
  });

  it('tiles a window of an odd number of seconds', () => {
    const w = { since: '2025-01-01T00:00:00Z', until: '2025-01-01T00:00:04Z' };
    const halves = splitWindow(w);
    assert.ok(halves);
    assertTiles(halves, w);
    assert.deepEqual(halves, [
      { since: '2025-01-01T00:00:00Z', until: '2025-01-01T00:00:02Z' },
      { since: '2025-01-01T00:00:03Z', until: '2025-01-01T00:00:04Z' },
    ]);
  });

  it('cannot split a single second (entries with equal start seconds)', () => {
    assert.equal(splitWindow({ since: '2025-01-01T00:00:00Z', until: '2025-01-01T00:00:00Z' }), null);
  });

  it('splits a two-second window into two single seconds', () => {
    assert.deepEqual(splitWindow({ since: '2025-01-01T00:00:00Z', until: '2025-01-01T00:00:01Z' }), [
      { since: '2025-01-01T00:00:00Z', until: '2025-01-01T00:00:00Z' },
      { since: '2025-01-01T00:00:01Z', until: '2025-01-01T00:00:01Z' },
    ]);
  });

  it('splits again until single seconds remain, covering every second once', () => {
    const seconds = new Set<string>();
    const queue: TimeWindow[] = [{ since: '2024-12-31T23:59:55Z', until: '2025-01-01T00:00:04Z' }];
    for (let steps = 0; queue.length; steps++) {
      assert.ok(steps < 100, 'splitting does not narrow the window');
      const w = queue.pop()!;
      const halves = splitWindow(w);
      if (halves) queue.push(...halves);
      else {
        assert.equal(w.since, w.until);
        assert.ok(!seconds.has(w.since), `${w.since} twice`);
        seconds.add(w.since);
      }
    }
    assert.equal(seconds.size, 10);
  });
});

describe('laterIso', () => {
  it('compares instants, not strings', () => {
    // 10:00 at +02:00 is 08:00 UTC: earlier than 09:00Z, though it sorts after it as text.
    assert.equal(laterIso('2024-01-01T10:00:00+02:00', '2024-01-01T09:00:00Z'), '2024-01-01T09:00:00Z');
    assert.equal(laterIso('2024-01-01T09:00:00Z', '2024-01-01T10:00:00+02:00'), '2024-01-01T09:00:00Z');
    assert.equal(laterIso('2024-01-01T09:00:00Z', '2024-01-01T09:00:01Z'), '2024-01-01T09:00:01Z');
  });

  it('takes the one given when the other is absent', () => {
    assert.equal(laterIso(undefined, '2024-01-01T09:00:00Z'), '2024-01-01T09:00:00Z');
    assert.equal(laterIso('2024-01-01T09:00:00Z', undefined), '2024-01-01T09:00:00Z');
    assert.equal(laterIso(undefined, undefined), undefined);
  });
});

describe('windows of whole days (incremental_sync type "date")', () => {
  it('widens a window to whole days, so the dates sent cover it exactly', () => {
    assert.deepEqual(wholeDays({ since: '2025-05-16T10:30:12Z', until: '2025-07-15T10:30:12Z' }), {
      since: '2025-05-16T00:00:00Z',
      until: '2025-07-15T23:59:59Z',
    });
  });

  it('slices a day-aligned window into slices that never share a day', () => {
    const w = wholeDays({ since: '2024-12-20T08:00:00Z', until: '2025-01-10T08:00:00Z' });
    const slices = planSlices(parseUtc(w.since), parseUtc(w.until), 7);
    assert.deepEqual(
      slices.map((s) => `${s.since.slice(0, 10)}..${s.until.slice(0, 10)}`),
      [
        '2024-12-20..2024-12-26',
        '2024-12-27..2025-01-02',
        '2025-01-03..2025-01-09',
        '2025-01-10..2025-01-10',
      ],
    );
    for (const s of slices) assert.ok(s.since.endsWith('T00:00:00Z') && s.until.endsWith('T23:59:59Z'));
  });

  it('splits at day boundaries, and not a single day', () => {
    const w = { since: '2025-01-01T00:00:00Z', until: '2025-01-05T23:59:59Z' };
    assert.deepEqual(splitWindow(w, DAY_MS), [
      { since: '2025-01-01T00:00:00Z', until: '2025-01-03T23:59:59Z' },
      { since: '2025-01-04T00:00:00Z', until: '2025-01-05T23:59:59Z' },
    ]);
    assert.equal(splitWindow({ since: '2025-01-01T00:00:00Z', until: '2025-01-01T23:59:59Z' }, DAY_MS), null);
  });

  it('scopes deletions by the date column, as days', () => {
    const windows = [{ since: '2025-01-01T00:00:00Z', until: '2025-01-31T23:59:59Z' }];
    assert.deepEqual(windowScope({ type: 'date', window_field: 'date' }, windows), {
      kind: 'windows',
      column: 'date',
      windows,
      days: true,
    });
    assert.deepEqual(windowScope({ type: 'datetime', window_field: 'time_since' }, windows), {
      kind: 'windows',
      column: 'time_since',
      windows,
    });
  });
});
