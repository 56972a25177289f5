// Absences: `perYear` per year of the dataset, dated inside that year, except one per year boundary that
// runs from late December into January (it must show up under both years).
import { idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDate, startOfDay, startOfYear } from './time';
import { Absence, AbsenceStatus } from './types';
import { ABSENCE_NOTES, AWKWARD_TEXTS } from './vocabulary';

/** Types that are sick days: only they carry a sick_note flag. */
const SICK_TYPES = new Set([4, 5, 11, 12, 14]);
const OVERTIME_REDUCTION = 3;

interface AbsenceSpec {
  year: number;
  type?: number;
  status?: AbsenceStatus;
  sinceMs?: number;
  untilMs?: number;
  halfDay?: boolean;
}

export interface AbsenceContext {
  rng: Rng;
  userIds: number[];
  nowMs: number;
}

export function generateAbsences(ctx: AbsenceContext, perYear: number, years: number[]): Absence[] {
  const absences: Absence[] = [];
  years.forEach((year, yearIndex) => {
    for (let j = 0; j < perYear; j++) {
      const g = absences.length;
      const spec: AbsenceSpec = { year };
      // Every type 1..15 and status 0..4 appears once the dataset has 15 absences.
      if (g < 15) Object.assign(spec, { type: g + 1, status: (g % 5) as AbsenceStatus });
      if (g === 1) spec.halfDay = true;
      const spansIntoNextYear = j === perYear - 1 && yearIndex < years.length - 1;
      if (spansIntoNextYear) {
        spec.sinceMs = Date.UTC(year, 11, 28);
        spec.untilMs = Date.UTC(year + 1, 0, 3);
        spec.halfDay = false;
      }
      absences.push(makeAbsence(ctx, spec));
    }
  });
  applyNoteOverrides(absences);
  const ids = idPool(ctx.rng, absences.length, 300000, [MAX_INT32 - 7]);
  absences.forEach((a, i) => (a.id = ids[i]));
  return absences;
}

function applyNoteOverrides(absences: Absence[]): void {
  const first = absences[0];
  if (first) {
    // Every nullable field null. Status 0 (reported) keeps the record consistent: nothing approved yet.
    Object.assign(first, {
      note: null,
      count_hours: null,
      sick_note: null,
      date_enquired: null,
      date_approved: null,
      approved_by: null,
      status: 0,
      type: 1,
    });
  }
  const notes = [AWKWARD_TEXTS[0], AWKWARD_TEXTS[7], AWKWARD_TEXTS[2], AWKWARD_TEXTS[3], ''];
  notes.forEach((note, i) => {
    if (i + 2 < absences.length) absences[i + 2].note = note;
  });
}

function makeAbsence(ctx: AbsenceContext, spec: AbsenceSpec): Absence {
  const { rng } = ctx;
  const type = spec.type ?? randomType(rng);
  const status =
    spec.status ??
    rng.weighted<AbsenceStatus>([
      [1, 70],
      [0, 10],
      [2, 7],
      [3, 6],
      [4, 7],
    ]);
  const span = spec.sinceMs !== undefined ? spanOf(spec) : randomSpan(rng, spec.year, type);
  const since = span.since;
  // A half day is a single day.
  const until = spec.halfDay ? since : span.until;
  const halfDay = spec.halfDay ?? (since === until && rng.chance(0.1));
  const todayMs = startOfDay(ctx.nowMs);
  const enquired = rng.chance(0.9) ? Math.min(since - rng.int(1, 60) * DAY, todayMs) : null;
  const approved =
    (status === 1 || status === 3) && enquired !== null
      ? Math.min(enquired + rng.int(0, 5) * DAY, todayMs)
      : null;
  return {
    id: 0,
    users_id: rng.pick(ctx.userIds),
    date_since: formatDate(since),
    date_until: formatDate(until),
    status,
    type,
    note: rng.chance(0.4) ? rng.pick(ABSENCE_NOTES) : rng.chance(0.15) ? '' : null,
    count_days: halfDay ? 0.5 : Math.max(1, countWorkdays(since, until)),
    count_hours: type === OVERTIME_REDUCTION ? rng.pick([3.5, 4, 7.75, 8, 12.25]) : null,
    sick_note: SICK_TYPES.has(type) ? rng.chance(0.6) : null,
    date_enquired: enquired === null ? null : formatDate(enquired),
    date_approved: approved === null ? null : formatDate(approved),
    approved_by: approved === null ? null : rng.pick(ctx.userIds),
  };
}

function spanOf(spec: AbsenceSpec): { since: number; until: number } {
  const since = spec.sinceMs ?? 0;
  return { since, until: spec.untilMs ?? since };
}

function randomType(rng: Rng): number {
  return rng.weighted<number>([
    [1, 50],
    [4, 15],
    [3, 8],
    [2, 5],
    [5, 4],
    [6, 3],
    [8, 3],
    [9, 2],
    [7, 1],
    [10, 1],
    [11, 1],
    [12, 1],
    [13, 1],
    [14, 1],
    [15, 1],
  ]);
}

/** A start on a weekday of `year` and a length by type; clipped to 31 December of that year. */
function randomSpan(rng: Rng, year: number, type: number): { since: number; until: number } {
  const yearStart = startOfYear(year);
  const daysInYear = Math.round((startOfYear(year + 1) - yearStart) / DAY);
  const nextYear = startOfYear(year + 1);
  const drawn = yearStart + rng.int(0, daysInYear - 1) * DAY;
  // Move to a weekday, forwards unless that would leave the year.
  let since = drawn;
  while (isWeekend(since)) since += DAY;
  if (since >= nextYear) for (since = drawn; isWeekend(since);) since -= DAY;
  const maxLength = type === 1 ? 14 : SICK_TYPES.has(type) ? 5 : 3;
  const until = Math.min(since + (rng.int(1, maxLength) - 1) * DAY, nextYear - DAY);
  return { since, until };
}

function isWeekend(ms: number): boolean {
  const day = new Date(ms).getUTCDay();
  return day === 0 || day === 6;
}

function countWorkdays(since: number, until: number): number {
  let days = 0;
  for (let d = since; d <= until; d += DAY) if (!isWeekend(d)) days++;
  return days;
}
