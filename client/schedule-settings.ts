// The schedules' settings, each checked before anything is sent to Temporal: SCHEDULE_INCREMENTAL and
// SCHEDULE_RECONCILE (an interval or a five-field cron expression, UTC), SCHEDULE_CATCHUP_WINDOW,
// SCHEDULE_LOCK_WAIT and SCHEDULE_ID_PREFIX.
import type { ScheduleSpec } from '@temporalio/client';
import { quotedValue, SettingsError } from '../config/settings-error';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)\s*(ms|s|m|h|d)$/;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Bounds of each duration: a catch-up window of up to a month, a lock wait of up to a week. */
export const DURATION_BOUNDS = {
  interval: { min: MINUTE, max: 31 * DAY, text: '1m to 31d' },
  SCHEDULE_CATCHUP_WINDOW: { min: MINUTE, max: 30 * DAY, text: '1m to 30d' },
  SCHEDULE_LOCK_WAIT: { min: 0, max: 7 * DAY, text: '0s to 7d' },
} as const;

/** A duration such as 30m or 2h (units s m h d) within bounds, or a SettingsError naming the setting. */
export function durationMs(
  text: string,
  setting: string,
  bounds: { min: number; max: number; text: string },
  /** The setting's whole text, for messages (`every 30s` where `30s` is read). */
  given = text,
): number {
  const d = DURATION.exec(text.trim());
  if (!d)
    throw new SettingsError(`${setting}: expected a duration such as 30m or 2h, got ${quotedValue(given)}`);
  const ms = Number(d[1]) * UNIT_MS[d[2]];
  if (!(ms >= bounds.min && ms <= bounds.max))
    throw new SettingsError(`${setting}: must be from ${bounds.text}, got ${quotedValue(given)}`);
  return ms;
}

/** A duration setting, its default when unset. */
export function durationSetting(
  vars: Record<string, string>,
  setting: 'SCHEDULE_CATCHUP_WINDOW' | 'SCHEDULE_LOCK_WAIT',
  fallback: string,
): number {
  return durationMs(vars[setting] ?? fallback, setting, DURATION_BOUNDS[setting]);
}

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS },
];
/** The most days each month can have (February in a leap year). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values one field of a cron expression names; throws a plain Error saying what is wrong. */
function cronFieldValues(text: string, field: CronField): Set<number> {
  const value = (word: string): number => {
    const named = field.names?.indexOf(word.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + field.min : /^\d{1,2}$/.test(word) ? Number(word) : NaN;
    if (!(n >= field.min && n <= field.max))
      throw new Error(`${field.name} ${quotedValue(word, 10)} is not in ${field.min}-${field.max}`);
    return n;
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    // Temporal reads day-of-week 7 as Sunday on its own, but a range ending at 7 leaves Sunday out.
    if (field.name === 'day-of-week' && item === '7') {
      values.add(0);
      continue;
    }
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d{1,2}))?$/.exec(item);
    if (!m) throw new Error(`${field.name} ${quotedValue(item, 20)} is not *, n, a-b or one of them /step`);
    const [from, to] =
      m[1] === '*'
        ? [field.min, field.max]
        : m[1].includes('-')
          ? m[1].split('-').map(value)
          : [value(m[1]), m[2] !== undefined ? field.max : value(m[1])];
    if (from > to) throw new Error(`${field.name} range ${item} ends before it starts`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1 || step > field.max - field.min + 1)
      throw new Error(`${field.name} step /${m[2]} is not in 1-${field.max - field.min + 1}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** A five-field cron expression (UTC) checked field by field, as Temporal would refuse or never fire it. */
export function checkCron(text: string, setting: string): void {
  const fields = text.split(/\s+/);
  const fail = (problem: string): never => {
    throw new SettingsError(`${setting}: ${problem} (in the cron expression ${quotedValue(text)})`);
  };
  if (fields.length !== 5)
    fail('a cron expression has five fields: minute hour day-of-month month day-of-week');
  const values = fields.map((f, i) => {
    try {
      return cronFieldValues(f, CRON_FIELDS[i]);
    } catch (e) {
      return fail((e as Error).message);
    }
  });
  const [, , days, months] = values;
  // With any day of the week, the days of the month must fall in one of the months (not 30 2).
  if (fields[4] === '*' && ![...months].some((m) => [...days].some((d) => d <= MONTH_DAYS[m - 1])))
    fail('never fires: no month named has that day');
}

/** `every 15m` (or `15m`, units s m h d) is an interval; five space-separated fields are a cron expression (UTC). */
export function parseScheduleSpec(text: string, setting: string): ScheduleSpec {
  const t = text.trim().replace(/^every\s+/i, '');
  if (DURATION.test(t))
    return { intervals: [{ every: durationMs(t, setting, DURATION_BOUNDS.interval, text) }] };
  if (t.split(/\s+/).length === 5) {
    checkCron(t, setting);
    return { cronExpressions: [t] };
  }
  throw new SettingsError(
    `${setting}: expected an interval such as "every 15m" or a cron expression such as "0 3 * * *", got ${quotedValue(text)}`,
  );
}

/** SCHEDULE_ID_PREFIX: a plain id (Temporal appends `-incremental`, and each run's time, to it). */
export function scheduleIdPrefix(vars: Record<string, string>): string {
  const prefix = vars.SCHEDULE_ID_PREFIX ?? 'clockodo';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(prefix))
    throw new SettingsError(
      `SCHEDULE_ID_PREFIX: letters, digits, '-', '_' and '.' only, at most 64, starting with a letter or digit, got ${quotedValue(prefix)}`,
    );
  return prefix;
}
