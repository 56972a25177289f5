// The working calendar: German public holidays per year (nonbusiness days) and their groups, and per user
// the target hours, holiday quotas, the holidays and overtime carried from one year into the next, and the
// overtime taken off.
import { byId, idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDate, startOfDay, startOfYear } from './time';
import {
  HolidaysCarry,
  HolidaysQuota,
  NonbusinessDay,
  NonbusinessGroup,
  OvertimeCarry,
  OvertimeReduction,
  TargetHours,
  User,
} from './types';
import { CARRY_NOTES, OVERTIME_NOTES, OVERTIME_REDUCTION_NOTES } from './vocabulary';

/** Nonbusiness groups: the nationwide holidays (the company default), and the extra ones of a southern state. */
export const NATIONWIDE_GROUP = 3;
export const BAVARIA_GROUP = 8;

export function generateNonbusinessGroups(): NonbusinessGroup[] {
  return [
    { id: NATIONWIDE_GROUP, name: 'Deutschland (bundesweit)', company_default: true },
    { id: BAVARIA_GROUP, name: 'Bayern – zusätzliche Feiertage', company_default: false },
  ];
}

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

/**
 * A holiday as an account configures it once: on a fixed date every year, or relative to Easter. The SDK
 * says only that SPECIAL days carry a `special_id`; ours numbers the Easter-relative rules.
 */
interface RecurringHoliday {
  group: number;
  name: string;
  halfDay: boolean;
  /** Days the special surcharge applies to (German tax law: 1 May, Christmas). */
  surchargeSpecial: boolean;
  rule: { month: number; day: number } | { specialId: number; daysAfterEaster: number };
}

const fixed = (
  group: number,
  name: string,
  month: number,
  day: number,
  flags: { halfDay?: boolean; surchargeSpecial?: boolean } = {},
): RecurringHoliday => ({
  group,
  name,
  halfDay: flags.halfDay ?? false,
  surchargeSpecial: flags.surchargeSpecial ?? false,
  rule: { month, day },
});
const easterBased = (group: number, name: string, specialId: number, days: number): RecurringHoliday => ({
  group,
  name,
  halfDay: false,
  surchargeSpecial: false,
  rule: { specialId, daysAfterEaster: days },
});

const RECURRING_HOLIDAYS: readonly RecurringHoliday[] = [
  fixed(NATIONWIDE_GROUP, 'Neujahr', 1, 1),
  fixed(BAVARIA_GROUP, 'Heilige Drei Könige', 1, 6),
  easterBased(NATIONWIDE_GROUP, 'Karfreitag', 1, -2),
  easterBased(NATIONWIDE_GROUP, 'Ostermontag', 2, 1),
  fixed(NATIONWIDE_GROUP, 'Tag der Arbeit', 5, 1, { surchargeSpecial: true }),
  easterBased(NATIONWIDE_GROUP, 'Christi Himmelfahrt', 3, 39),
  easterBased(NATIONWIDE_GROUP, 'Pfingstmontag', 4, 50),
  easterBased(BAVARIA_GROUP, 'Fronleichnam', 5, 60),
  fixed(BAVARIA_GROUP, 'Mariä Himmelfahrt', 8, 15),
  fixed(NATIONWIDE_GROUP, 'Tag der Deutschen Einheit', 10, 3),
  fixed(BAVARIA_GROUP, 'Allerheiligen', 11, 1),
  fixed(NATIONWIDE_GROUP, 'Heiligabend (½ Tag)', 12, 24, { halfDay: true, surchargeSpecial: true }),
  fixed(NATIONWIDE_GROUP, '1. Weihnachtstag 🎄', 12, 25, { surchargeSpecial: true }),
  fixed(NATIONWIDE_GROUP, '2. Weihnachtstag', 12, 26, { surchargeSpecial: true }),
  fixed(NATIONWIDE_GROUP, 'Silvester (½ Tag)', 12, 31, { halfDay: true }),
];

/** A day off set for one year only. */
interface OnceHoliday {
  group: number;
  name: string;
  halfDay: boolean;
  ms: number;
}

/** One-off days an account adds for a single year: the company's own, or a state's one-time holiday. */
const ONCE_KINDS: readonly ((year: number, rng: Rng) => OnceHoliday)[] = [
  (year) => ({
    group: NATIONWIDE_GROUP,
    name: 'Brückentag nach Christi Himmelfahrt',
    halfDay: false,
    ms: easterSunday(year) + 40 * DAY, // always a Friday
  }),
  (year, rng) => ({
    group: NATIONWIDE_GROUP,
    name: 'Firmenjubiläum 🎉',
    halfDay: false,
    ms: weekdayIn(year, 9, rng.int(1, 28)),
  }),
  (year, rng) => ({
    group: NATIONWIDE_GROUP,
    name: 'Betriebsausflug (½ Tag)',
    halfDay: true,
    ms: weekdayIn(year, 7, rng.int(1, 28)),
  }),
  (year, rng) => ({
    group: BAVARIA_GROUP,
    name: 'Landesjubiläum (einmaliger Feiertag)',
    halfDay: false,
    // Before Good Friday's earliest date (20 March), even when moved off a weekend.
    ms: weekdayIn(year, 3, rng.int(2, 13)),
  }),
];

/** The first Monday..Friday on or after the given date (these months hold no recurring holiday then). */
function weekdayIn(year: number, month: number, day: number): number {
  let ms = Date.UTC(year, month - 1, day);
  while ([0, 6].includes(new Date(ms).getUTCDay())) ms += DAY;
  return ms;
}

/** Most years get a one-off day (at least two years do, when there are two), each of another kind. */
function onceHolidays(rng: Rng, years: number[]): OnceHoliday[] {
  const kinds = rng.shuffle([...ONCE_KINDS]);
  const chosen = years.filter(() => rng.chance(0.6));
  // Fill up from the latest years, so that every dataset shows the case.
  for (const year of [...years].reverse()) {
    if (chosen.length >= Math.min(2, years.length)) break;
    if (!chosen.includes(year)) chosen.push(year);
  }
  return chosen.sort((a, b) => a - b).map((year, i) => kinds[i % kinds.length](year, rng));
}

/**
 * Nonbusiness days per year ('2025'), each year in id order. Every recurring holiday has one id in all
 * years; `onceRng` (a stream of its own, so the recurring days' ids stay as they were) adds a few DISTINCT_ONCE
 * days, each with its own id.
 */
export function generateNonbusinessDays(
  rng: Rng,
  onceRng: Rng,
  years: number[],
): Record<string, NonbusinessDay[]> {
  const once = onceHolidays(onceRng, years);
  const ids = idPool(rng, RECURRING_HOLIDAYS.length + once.length, 9000, [MAX_INT32 - 55]);
  const byYear: Record<string, NonbusinessDay[]> = {};
  for (const year of years) {
    const recurring = RECURRING_HOLIDAYS.map((h, i) => recurringDay(h, ids[i], year));
    const onceDays = once
      .map((h, i) => ({ h, id: ids[RECURRING_HOLIDAYS.length + i] }))
      .filter(({ h }) => new Date(h.ms).getUTCFullYear() === year)
      .map(({ h, id }) => onceDay(h, id));
    byYear[String(year)] = [...recurring, ...onceDays].sort(byId);
  }
  return byYear;
}

function recurringDay(h: RecurringHoliday, id: number, year: number): NonbusinessDay {
  const base = {
    id,
    nonbusiness_group_id: h.group,
    name: h.name,
    half_day: h.halfDay,
  };
  if ('specialId' in h.rule) {
    return {
      ...base,
      type: 'SPECIAL',
      surcharge_special: h.surchargeSpecial,
      evaluated_date: formatDate(easterSunday(year) + h.rule.daysAfterEaster * DAY),
      special_id: h.rule.specialId,
    };
  }
  const { month, day } = h.rule;
  return {
    ...base,
    type: 'DISTINCT_RECURRING',
    surcharge_special: h.surchargeSpecial,
    evaluated_date: formatDate(Date.UTC(year, month - 1, day)),
    day,
    month,
  };
}

function onceDay(h: OnceHoliday, id: number): NonbusinessDay {
  const date = new Date(h.ms);
  return {
    id,
    nonbusiness_group_id: h.group,
    name: h.name,
    half_day: h.halfDay,
    type: 'DISTINCT_ONCE',
    surcharge_special: false,
    evaluated_date: formatDate(h.ms),
    day: date.getUTCDate(),
    month: date.getUTCMonth() + 1,
    year: date.getUTCFullYear(),
  };
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

/**
 * Overtime taken off in hours, about one per user and year, on weekdays of the dataset's years. Added on
 * or before the day (never after now), by the user or by the account's owner or a manager.
 */
export function generateOvertimeReductions(
  rng: Rng,
  users: User[],
  years: number[],
  nowMs: number,
): OvertimeReduction[] {
  const approvers = users.filter((u) => u.role !== 'worker').map((u) => u.id);
  const rows: Omit<OvertimeReduction, 'id'>[] = [];
  for (const year of years) {
    for (const user of users) {
      for (let k = rng.int(0, 2); k > 0; k--) {
        const dayMs = weekdayIn(year, rng.int(1, 12), rng.int(1, 28));
        const addedMs = Math.min(dayMs - rng.int(0, 30) * DAY, startOfDay(nowMs));
        rows.push({
          users_id: user.id,
          date: formatDate(dayMs),
          hours: rng.pick([1, 2, 2.5, 4, 4, 6, 8, 8]),
          note: rng.chance(0.4) ? rng.pick(OVERTIME_REDUCTION_NOTES) : null,
          added_at: formatDate(addedMs),
          added_by_users_id: approvers.length > 0 && rng.chance(0.4) ? rng.pick(approvers) : user.id,
        });
      }
    }
  }
  const ids = idPool(rng, rows.length, 70000, rows.length >= 4 ? [MAX_INT32 - 700] : []);
  return rows.map((r, i) => ({ id: ids[i], ...r })).sort(byId);
}
