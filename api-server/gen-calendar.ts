// The working calendar: German public holidays per year (nonbusiness days), and per user the target hours,
// holiday quotas and the holidays and overtime carried from one year into the next.
import { byId, idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDate, startOfYear } from './time';
import { HolidaysCarry, HolidaysQuota, NonbusinessDay, OvertimeCarry, TargetHours } from './types';
import { CARRY_NOTES, OVERTIME_NOTES } from './vocabulary';

/** Nonbusiness groups: the nationwide holidays, and the extra ones of a southern state. */
export const NATIONWIDE_GROUP = 3;
export const BAVARIA_GROUP = 8;

/** Easter Sunday (anonymous Gregorian algorithm), as epoch ms. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** [group, name, epoch ms, half day, on a fixed date] for one year, in date order. */
function holidaysOf(year: number): [number, string, number, boolean, boolean][] {
  const easter = easterSunday(year);
  const onFixedDates = new Set<number>();
  const fixed = (month: number, day: number): number => {
    const ms = Date.UTC(year, month - 1, day);
    onFixedDates.add(ms);
    return ms;
  };
  const days: [number, string, number, boolean][] = [
    [NATIONWIDE_GROUP, 'Neujahr', fixed(1, 1), false],
    [BAVARIA_GROUP, 'Heilige Drei Könige', fixed(1, 6), false],
    [NATIONWIDE_GROUP, 'Karfreitag', easter - 2 * DAY, false],
    [NATIONWIDE_GROUP, 'Ostermontag', easter + DAY, false],
    [NATIONWIDE_GROUP, 'Tag der Arbeit', fixed(5, 1), false],
    [NATIONWIDE_GROUP, 'Christi Himmelfahrt', easter + 39 * DAY, false],
    [NATIONWIDE_GROUP, 'Pfingstmontag', easter + 50 * DAY, false],
    [BAVARIA_GROUP, 'Fronleichnam', easter + 60 * DAY, false],
    [BAVARIA_GROUP, 'Mariä Himmelfahrt', fixed(8, 15), false],
    [NATIONWIDE_GROUP, 'Tag der Deutschen Einheit', fixed(10, 3), false],
    [BAVARIA_GROUP, 'Allerheiligen', fixed(11, 1), false],
    [NATIONWIDE_GROUP, 'Heiligabend (½ Tag)', fixed(12, 24), true],
    [NATIONWIDE_GROUP, '1. Weihnachtstag 🎄', fixed(12, 25), false],
    [NATIONWIDE_GROUP, '2. Weihnachtstag', fixed(12, 26), false],
    [NATIONWIDE_GROUP, 'Silvester (½ Tag)', fixed(12, 31), true],
  ];
  return days
    .map(([group, name, ms, halfDay]): [number, string, number, boolean, boolean] => [
      group,
      name,
      ms,
      halfDay,
      onFixedDates.has(ms),
    ])
    .sort((x, y) => x[2] - y[2]);
}

export function generateNonbusinessDays(rng: Rng, years: number[]): NonbusinessDay[] {
  const days = years.flatMap(holidaysOf);
  const ids = idPool(rng, days.length, 9000, [MAX_INT32 - 55]);
  return days
    .map(([group, name, ms, halfDay, onFixedDate], i) => ({
      id: ids[i],
      nonbusinessgroups_id: group,
      name,
      date: formatDate(ms),
      half_day: halfDay,
      // Days that follow Easter are SPECIAL in Clockodo's vocabulary; the others recur on their date.
      type: onFixedDate ? ('DISTINCT_RECURRING' as const) : ('SPECIAL' as const),
      surcharge_special: false,
    }))
    .sort(byId);
}

/** Weekly patterns: full time, part time, four days. */
const WEEKLY_PATTERNS: readonly (readonly number[])[] = [
  [8, 8, 8, 8, 8, 0, 0],
  [8, 8, 8, 8, 8, 0, 0],
  [7.5, 7.5, 7.5, 7.5, 6, 0, 0],
  [6, 6, 6, 6, 0, 0, 0],
  [4, 4, 4, 4, 4, 0, 0],
  [9.5, 9.5, 9.5, 9.5, 0, 0, 0],
];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/**
 * One to three rows per user, back to back: the first starts up to a year before the dataset's first
 * year, the last is open-ended (date_until null). Most are weekly; some monthly.
 */
export function generateTargetHours(rng: Rng, userIds: number[], years: number[]): TargetHours[] {
  const first = startOfYear(years[0]);
  const last = startOfYear(years[years.length - 1] + 1);
  const rows: Omit<TargetHours, 'id'>[] = [];
  for (const usersId of userIds) {
    const count = rng.weighted<number>([
      [1, 50],
      [2, 35],
      [3, 15],
    ]);
    let since = first - rng.int(0, 365) * DAY;
    for (let k = 0; k < count; k++) {
      const isLast = k === count - 1;
      const until = isLast ? null : Math.min(since + rng.int(120, 500) * DAY, last - DAY);
      rows.push(targetRow(rng, usersId, since, until));
      if (until === null || until >= last - DAY) break;
      since = until + DAY;
    }
    // A row that ended early must still be followed by an open one.
    const tail = rows[rows.length - 1];
    if (tail.date_until !== null) tail.date_until = null;
  }
  const ids = idPool(rng, rows.length, 7000, rows.length >= 4 ? [MAX_INT32 - 200] : []);
  return rows.map((r, i) => ({ id: ids[i], ...r })).sort(byId);
}

function targetRow(rng: Rng, usersId: number, since: number, until: number | null): Omit<TargetHours, 'id'> {
  const monthly = rng.chance(0.15);
  const pattern = rng.pick(WEEKLY_PATTERNS);
  const weekly = Object.fromEntries(WEEKDAYS.map((d, i) => [d, monthly ? null : pattern[i]])) as Pick<
    TargetHours,
    (typeof WEEKDAYS)[number]
  >;
  return {
    users_id: usersId,
    type: monthly ? 'monthly' : 'weekly',
    date_since: formatDate(since),
    date_until: until === null ? null : formatDate(until),
    ...weekly,
    monthly_target: monthly ? rng.pick([80, 120, 160, 173.33]) : null,
    working_days: monthly ? rng.pick([4, 5]) : null,
    compensation_daily: rng.chance(0.8) ? 0 : rng.pick([0.25, 0.5, null]),
    compensation_monthly: rng.chance(0.8) ? 0 : rng.pick([2, 10, null]),
    absence_fixed_credit: rng.chance(0.2),
    surcharge_models_id: null,
  };
}

/** The daily target of `row` on a weekday (0 Monday .. 6 Sunday): weekly rows by day, monthly spread. */
export function dailyTarget(row: TargetHours, weekday: number): number {
  if (row.type === 'monthly') {
    const workingDays = row.working_days ?? 5;
    if (weekday >= workingDays) return 0;
    return ((row.monthly_target ?? 0) * 12) / 52 / workingDays;
  }
  return row[WEEKDAYS[weekday]] ?? 0;
}

/**
 * Per user an open-ended quota from before the first year; about a third change their quota at a later
 * year. With three or more users, the second starts in the last year only (its earlier reports: null).
 */
export function generateHolidaysQuota(rng: Rng, userIds: number[], years: number[]): HolidaysQuota[] {
  const rows: Omit<HolidaysQuota, 'id' | 'note'>[] = [];
  const lastYear = years[years.length - 1];
  userIds.forEach((usersId, i) => {
    const count = (): number => rng.pick([30, 30, 28, 27.5, 25, 24, 20.5]);
    if (i === 1 && userIds.length >= 3) {
      rows.push({ users_id: usersId, year_since: lastYear, year_until: null, count: count() });
      return;
    }
    const since = years[0] - rng.int(0, 3);
    if (years.length >= 2 && rng.chance(0.35)) {
      const change = years[rng.int(1, years.length - 1)];
      rows.push({ users_id: usersId, year_since: since, year_until: change - 1, count: count() });
      rows.push({ users_id: usersId, year_since: change, year_until: null, count: count() });
    } else {
      rows.push({ users_id: usersId, year_since: since, year_until: null, count: count() });
    }
  });
  const ids = idPool(rng, rows.length, 40000, rows.length >= 4 ? [MAX_INT32 - 300] : []);
  // A quota that ends was replaced by a new contract's; the note says so.
  return rows
    .map((r, i) => ({ id: ids[i], ...r, note: r.year_until === null ? null : 'Vertragsänderung' }))
    .sort(byId);
}

/** Most users carry some days into most years; a few carry a negative count (taken in advance). */
export function generateHolidaysCarry(rng: Rng, userIds: number[], years: number[]): HolidaysCarry[] {
  const rows: Omit<HolidaysCarry, 'id'>[] = [];
  for (const year of years) {
    for (const usersId of userIds) {
      if (!rng.chance(0.8)) continue;
      const count = rng.chance(0.08) ? -rng.int(1, 3) : rng.int(0, 12) + (rng.chance(0.2) ? 0.5 : 0);
      const note = rng.chance(0.3) ? rng.pick(CARRY_NOTES) : rng.chance(0.1) ? '' : null;
      rows.push({ users_id: usersId, year, count, note });
    }
  }
  const ids = idPool(rng, rows.length, 50000, rows.length >= 4 ? [MAX_INT32 - 400] : []);
  return rows.map((r, i) => ({ id: ids[i], ...r })).sort(byId);
}

/** Hours carried into a year: mostly overtime, sometimes a deficit. */
export function generateOvertimeCarry(rng: Rng, userIds: number[], years: number[]): OvertimeCarry[] {
  const rows: Omit<OvertimeCarry, 'id'>[] = [];
  for (const year of years) {
    for (const usersId of userIds) {
      if (!rng.chance(0.7)) continue;
      const hours = rng.chance(0.15) ? -rng.money(0.25, 20) : rng.money(0, 80);
      const note = rng.chance(0.3) ? rng.pick(OVERTIME_NOTES) : null;
      rows.push({ users_id: usersId, year, hours, note });
    }
  }
  const ids = idPool(rng, rows.length, 60000, rows.length >= 4 ? [MAX_INT32 - 500] : []);
  return rows.map((r, i) => ({ id: ids[i], ...r })).sort(byId);
}
