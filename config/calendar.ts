// Which dates a setting or configuration may name: ISO dates and datetimes that exist (Date would read
// 2026-02-30 as March 2nd), in the years 1970 to 2100. One reading for SYNC_START_DATE
// (config/sync-period.ts) and the configuration's dates (config/validate-source-config.ts).
import { parseUtc } from '../domain/windows';

export const YEAR_RANGE = { min: 1970, max: 2100 } as const;

const ISO_DATE_OR_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-](\d{2}):?(\d{2}))?)?$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** What is wrong with a date or datetime, or undefined when it names a moment that exists. */
export function dateProblem(text: string): 'form' | 'year' | 'day' | 'time' | undefined {
  const m = ISO_DATE_OR_DATETIME.exec(text);
  if (!m) return 'form';
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m
    .slice(1)
    .map((v) => (v === undefined ? 0 : Number(v)));
  if (year < YEAR_RANGE.min || year > YEAR_RANGE.max) return 'year';
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return 'day';
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return 'time';
  return isNaN(parseUtc(text)) ? 'time' : undefined;
}

export const isExistingDate = (text: string) => dateProblem(text) === undefined;
