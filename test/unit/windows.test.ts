// Slicing an incremental window: the API's bounds are inclusive, so slices must tile the window with
// one-second steps between them, neither overlapping nor leaving a gap.
import { strict as assert } from 'assert';
import type { TimeWindow } from '../../domain/types';
import { fullWindow, isoSeconds, parseUtc, planSlices, WindowRules } from '../../domain/windows';

const DAY = 24 * 60 * 60 * 1000;
const ms = (iso: string) => Date.parse(iso);

/** Checks the tiling properties every plan must have. */
function assertTiles(slices: TimeWindow[], sinceMs: number, untilMs: number) {
  assert.ok(slices.length > 0);
  assert.equal(ms(slices[0].since), Math.floor(sinceMs / 1000) * 1000);
  assert.equal(ms(slices[slices.length - 1].until), Math.floor(untilMs / 1000) * 1000);
  for (const s of slices) assert.ok(ms(s.since) <= ms(s.until), JSON.stringify(s));
  for (let i = 1; i < slices.length; i++) {
    assert.equal(ms(slices[i].since), ms(slices[i - 1].until) + 1000, `between slice ${i - 1} and ${i}`);
  }
}

describe('planSlices', () => {
  it('cuts a year into 92-day slices that tile it', () => {
    const since = ms('2024-01-01T00:00:00Z');
    const until = ms('2024-12-31T23:59:59Z');
    const slices = planSlices(since, until, 92);
    assert.deepEqual(slices, [
      { since: '2024-01-01T00:00:00Z', until: '2024-04-01T23:59:59Z' },
      { since: '2024-04-02T00:00:00Z', until: '2024-07-02T23:59:59Z' },
      { since: '2024-07-03T00:00:00Z', until: '2024-10-02T23:59:59Z' },
      { since: '2024-10-03T00:00:00Z', until: '2024-12-31T23:59:59Z' },
    ]);
    assertTiles(slices, since, until);
  });

  it('makes full slices of slice_days days except the last', () => {
    const since = ms('2023-01-01T00:00:00Z');
    const until = ms('2025-06-15T10:30:00Z');
    const slices = planSlices(since, until, 30);
    assertTiles(slices, since, until);
    for (const s of slices.slice(0, -1)) assert.equal(ms(s.until) - ms(s.since), 30 * DAY - 1000, s.since);
    const last = slices[slices.length - 1];
    assert.ok(ms(last.until) - ms(last.since) <= 30 * DAY - 1000);
    assert.equal(slices.length, Math.floor((until - since) / (30 * DAY)) + 1);
  });

  it('makes one slice when the window is shorter than a slice', () => {
    const since = ms('2025-06-01T00:00:00Z');
    const until = ms('2025-06-15T10:30:00Z');
    assert.deepEqual(planSlices(since, until, 92), [
      { since: '2025-06-01T00:00:00Z', until: '2025-06-15T10:30:00Z' },
    ]);
  });

  it('makes one slice when the window is exactly one slice long', () => {
    const since = ms('2025-01-01T00:00:00Z');
    assert.deepEqual(planSlices(since, since + DAY - 1000, 1), [
      { since: '2025-01-01T00:00:00Z', until: '2025-01-01T23:59:59Z' },
    ]);
  });

  it('ends the last slice at untilMs, even one second after a slice boundary', () => {
    const since = ms('2025-01-01T00:00:00Z');
    const slices = planSlices(since, since + DAY, 1);
    assert.deepEqual(slices, [
      { since: '2025-01-01T00:00:00Z', until: '2025-01-01T23:59:59Z' },
      { since: '2025-01-02T00:00:00Z', until: '2025-01-02T00:00:00Z' },
    ]);
  });

  it('writes sub-second bounds without fractions and still tiles', () => {
    const since = ms('2025-01-01T00:00:00Z') + 250;
    const until = ms('2025-01-05T12:00:00Z') + 999;
    const slices = planSlices(since, until, 2);
    for (const s of slices) {
      assert.match(s.since, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.match(s.until, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    assertTiles(slices, since, until);
    assert.equal(slices[slices.length - 1].until, '2025-01-05T12:00:00Z');
  });

  it('plans nothing for a window that ends before it starts', () => {
    assert.deepEqual(planSlices(ms('2025-01-02T00:00:00Z'), ms('2025-01-01T00:00:00Z'), 92), []);
  });
});

describe('fullWindow', () => {
  const RUN = ms('2025-06-15T10:30:12.345Z');
  const rules = (startDatetime: string, endDatetime: string): WindowRules => ({
    startDatetime,
    endDatetime,
    lookbackDays: 31,
    horizonDays: 0,
    cursorMarginMs: 0,
  });

  it('reads a bare date as midnight UTC', () => {
    assert.deepEqual(fullWindow(rules('2023-01-01', 'now'), RUN), {
      since: '2023-01-01T00:00:00Z',
      until: '2025-06-15T10:30:12Z',
    });
  });

  it('uses the run time for "now" and a given datetime otherwise', () => {
    assert.equal(fullWindow(rules('2023-01-01', 'now'), RUN).until, isoSeconds(RUN));
    assert.deepEqual(fullWindow(rules('2024-01-01T06:00:00Z', '2024-02-01T00:00:00+01:00'), RUN), {
      since: '2024-01-01T06:00:00Z',
      until: '2024-01-31T23:00:00Z',
    });
  });

  it('plans the seed window from its bounds', () => {
    const w = fullWindow(rules('2025-06-01', 'now'), RUN);
    assert.deepEqual(planSlices(parseUtc(w.since), parseUtc(w.until), 92), [
      { since: '2025-06-01T00:00:00Z', until: '2025-06-15T10:30:12Z' },
    ]);
  });

  // A datetime without a zone (accepted by the validator, documented as UTC in domain/source-config.ts)
  // must not be read as local time, or the window shifts by the worker's UTC offset. Hidden when TZ is
  // UTC, so this test sets another zone.
  it('reads a datetime without a zone as UTC whatever the local zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      assert.deepEqual(fullWindow(rules('2024-01-01T10:00:00', '2024-03-01T00:00'), RUN), {
        since: '2024-01-01T10:00:00Z',
        until: '2024-03-01T00:00:00Z',
      });
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('isoSeconds', () => {
  it('writes ISO UTC without fractions, rounding down', () => {
    assert.equal(isoSeconds(Date.UTC(2024, 0, 1)), '2024-01-01T00:00:00Z');
    assert.equal(isoSeconds(Date.UTC(2024, 0, 1, 23, 59, 59, 999)), '2024-01-01T23:59:59Z');
    assert.equal(isoSeconds(0), '1970-01-01T00:00:00Z');
  });
});
