// Resources derived from the others: work time days from the time entries, and yearly user reports from
// entries, absences, target hours, nonbusiness days, quotas and carries. No randomness beyond `rng`
// (which only decides overtime paid out), so the figures follow from the records a client also reads.
import { dailyTarget, NATIONWIDE_GROUP } from './gen-calendar';
import { Rng } from './random';
import { DAY, parseDate, startOfDay, startOfYear } from './time';
import {
  Absence,
  Entry,
  HolidaysCarry,
  HolidaysQuota,
  NonbusinessDay,
  OvertimeCarry,
  SumAbsence,
  TargetHours,
  User,
  UserReport,
  WorkTimeDay,
  WorkTimeInterval,
} from './types';

/** The first day /v2/workTimes has valid data for (docs): the server serves no work time day before it. */
export const WORK_TIMES_FIRST_DATE = '2023-08-21';

/**
 * One day per user and UTC date (from WORK_TIMES_FIRST_DATE on) on which the user has finished time
 * entries (type 1; running ones are skipped). Intervals are the entries' [time_since, time_until],
 * overlapping ones merged; offset is the sum of the entries' offsets. Ordered by (date, users_id). At most
 * one day per entry.
 */
export function deriveWorkTimes(entries: Entry[]): WorkTimeDay[] {
  const byDay = new Map<
    string,
    { date: string; usersId: number; offset: number; spans: [string, string][] }
  >();
  for (const e of entries) {
    if (e.type !== 1 || e.time_until === null) continue;
    const date = e.time_since.slice(0, 10);
    if (date < WORK_TIMES_FIRST_DATE) continue;
    const key = `${date}|${e.users_id}`;
    let day = byDay.get(key);
    if (!day) {
      day = { date, usersId: e.users_id, offset: 0, spans: [] };
      byDay.set(key, day);
    }
    day.offset += e.offset;
    day.spans.push([e.time_since, e.time_until]);
  }
  const days: WorkTimeDay[] = [];
  for (const day of byDay.values()) {
    day.spans.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const intervals: WorkTimeInterval[] = [];
    let current: [string, string] | undefined;
    for (const [since, until] of day.spans) {
      if (current && since <= current[1]) {
        if (until > current[1]) current[1] = until;
        continue;
      }
      if (current) intervals.push({ time_since: current[0], time_until: current[1] });
      current = [since, until];
    }
    if (current) intervals.push({ time_since: current[0], time_until: current[1] });
    days.push({ date: day.date, users_id: day.usersId, offset: day.offset, intervals });
  }
  return days.sort(byDateAndUser);
}

export function byDateAndUser(a: WorkTimeDay, b: WorkTimeDay): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : a.users_id - b.users_id;
}

/** Absence type → its sum_absence key; type 3 (overtime reduction) counts in hours instead. */
const ABSENCE_KEYS: Record<number, keyof SumAbsence> = {
  1: 'regular_holidays',
  2: 'special_leaves',
  4: 'sick_self',
  5: 'sick_child',
  6: 'school',
  7: 'maternity_protection',
  8: 'home_office',
  9: 'out_of_office',
  10: 'special_leaves_unpaid',
  11: 'sick_self_unpaid',
  12: 'sick_child_unpaid',
  13: 'quarantine',
  14: 'military_service',
  15: 'sick_self_with_certificate',
};
/** Absences that count as worked time (credited with the day's target). */
const CREDITED = new Set([1, 2, 4, 5, 6, 7, 11, 12, 13, 14, 15]);
const OVERTIME_REDUCTION = 3;

export interface ReportInputs {
  rng: Rng;
  nowMs: number;
  years: number[];
  users: User[];
  entries: Entry[];
  absences: Absence[];
  targetHours: TargetHours[];
  /** Every year's days in one list. */
  nonbusinessDays: NonbusinessDay[];
  holidaysQuota: HolidaysQuota[];
  holidaysCarry: HolidaysCarry[];
  overtimeCarry: OvertimeCarry[];
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const toSeconds = (hours: number): number => Math.round(hours * 3600);
const emptySums = (): SumAbsence =>
  Object.fromEntries(Object.values(ABSENCE_KEYS).map((k) => [k, 0])) as unknown as SumAbsence;

/**
 * Per year (key '2025') one report per user, ordered by users_id. Targets count the days up to today in the
 * current year (the whole year for past ones, none for future ones), less nationwide nonbusiness days;
 * sum_hours is the finished time entries starting in the year (times in seconds); only approved absences count.
 */
export function deriveUserReports(inputs: ReportInputs): Record<string, UserReport[]> {
  const { years, users, nowMs } = inputs;
  const todayMs = startOfDay(nowMs);
  const yearSet = new Set(years);
  // Seconds of finished time entries per `${year}|${users_id}`: one pass over the entries.
  const seconds = new Map<string, number>();
  for (const e of inputs.entries) {
    if (e.type !== 1 || e.duration === null) continue;
    const year = Number(e.time_since.slice(0, 4));
    if (!yearSet.has(year)) continue;
    const key = `${year}|${e.users_id}`;
    seconds.set(key, (seconds.get(key) ?? 0) + e.duration);
  }
  const holidays = new Map<number, number>(); // epoch ms → fraction of the day off (1 or 0.5)
  for (const d of inputs.nonbusinessDays) {
    if (d.nonbusiness_group_id === NATIONWIDE_GROUP) {
      holidays.set(parseDate(d.evaluated_date), d.half_day ? 0.5 : 1);
    }
  }
  const targetsOf = groupBy(inputs.targetHours, (t) => t.users_id);
  const absencesOf = groupBy(
    inputs.absences.filter((a) => a.status === 1),
    (a) => a.users_id,
  );
  const carryOf = new Map(inputs.holidaysCarry.map((c) => [`${c.year}|${c.users_id}`, c.count]));
  const overtimeOf = new Map(inputs.overtimeCarry.map((c) => [`${c.year}|${c.users_id}`, c.hours]));
  const sortedUsers = [...users].sort((a, b) => a.id - b.id);
  // Overtime paid out: decided per user and year, in this order, before anything else uses the stream.
  const paidOut = new Map<string, number>();
  for (const year of years) {
    for (const u of sortedUsers) {
      if (inputs.rng.chance(0.15)) paidOut.set(`${year}|${u.id}`, inputs.rng.pick([4, 8, 10, 16, 20]));
    }
  }

  const reports: Record<string, UserReport[]> = {};
  for (const year of years) {
    const first = startOfYear(year);
    const end = Math.min(startOfYear(year + 1), todayMs + DAY); // exclusive
    reports[String(year)] = sortedUsers.map((user) => {
      const rows = (targetsOf.get(user.id) ?? []).sort((a, b) => (a.date_since < b.date_since ? -1 : 1));
      const targetOn = (ms: number): number => {
        const date = new Date(ms).toISOString().slice(0, 10);
        const row = rows.find((r) => r.date_since <= date && (r.date_until === null || date <= r.date_until));
        if (!row) return 0;
        const weekday = (new Date(ms).getUTCDay() + 6) % 7; // 0 Monday
        return dailyTarget(row, weekday) * (1 - (holidays.get(ms) ?? 0));
      };
      let target = 0;
      for (let d = first; d < end; d += DAY) target += targetOn(d);

      const sums = emptySums();
      let credited = 0;
      let reductionUsed = 0;
      let reductionPlanned = 0;
      for (const a of absencesOf.get(user.id) ?? []) {
        const since = Math.max(parseDate(a.date_since), first);
        const until = Math.min(parseDate(a.date_until), startOfYear(year + 1) - DAY);
        if (since > until) continue;
        const halfDay = a.count_days === 0.5 ? 0.5 : 1;
        let days = 0;
        let hours = 0;
        for (let d = since; d <= until; d += DAY) {
          const weekday = new Date(d).getUTCDay();
          if (weekday === 0 || weekday === 6) continue;
          days += halfDay * (1 - (holidays.get(d) ?? 0));
          hours += halfDay * targetOn(d);
        }
        if (a.type === OVERTIME_REDUCTION) {
          const reduced = a.count_hours ?? hours;
          if (parseDate(a.date_since) <= todayMs) reductionUsed += reduced;
          else reductionPlanned += reduced;
          continue;
        }
        const key = ABSENCE_KEYS[a.type];
        if (key) sums[key] += days;
        if (CREDITED.has(a.type) && parseDate(a.date_since) <= todayMs) credited += hours;
      }
      for (const k of Object.keys(sums) as (keyof SumAbsence)[]) sums[k] = round2(sums[k]);

      const key = `${year}|${user.id}`;
      const sumHours = (seconds.get(key) ?? 0) / 3600;
      const carryover = overtimeOf.get(key) ?? 0;
      const reduced = paidOut.get(key) ?? 0;
      const quota = inputs.holidaysQuota.find(
        (q) =>
          q.users_id === user.id && q.year_since <= year && (q.year_until === null || year <= q.year_until),
      );
      return {
        users_id: user.id,
        users_name: user.name,
        users_number: user.number,
        users_email: user.email,
        // Times in seconds, as the API reports them.
        sum_target: toSeconds(target),
        sum_hours: toSeconds(sumHours),
        sum_reduction_used: toSeconds(reductionUsed),
        sum_reduction_planned: toSeconds(reductionPlanned),
        overtime_carryover: toSeconds(carryover),
        overtime_reduced: toSeconds(reduced),
        diff: toSeconds(sumHours + credited - target + carryover - reduced),
        holidays_quota: quota ? quota.count : null,
        holidays_carry: carryOf.get(key) ?? 0,
        sum_absence: sums,
      };
    });
  }
  return reports;
}

function groupBy<T>(items: T[], keyOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
