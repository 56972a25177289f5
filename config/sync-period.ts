// What a sync reads: SYNC_YEARS (years, or `recent:N`) and SYNC_START_DATE, checked before anything
// is computed from them (`recent:999999999` would otherwise build a list of a billion years).
import { MAX_RECENT_YEARS } from '../domain/run-rules';
import { dateProblem, YEAR_RANGE } from './calendar';
import { quotedValue, SettingsError } from './settings-error';

export const MIN_YEAR = YEAR_RANGE.min;
export const MAX_YEAR = YEAR_RANGE.max;

/** N of `recent:N` (1..50), or undefined for a list of years. */
export function recentYearsSetting(text: string, setting = 'SYNC_YEARS'): number | undefined {
  if (setting === 'SYNC_YEARS' && !/^\s*recent\b/i.test(text)) return undefined;
  const m = /^\s*recent:(\d{1,3})\s*$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 1 && n <= MAX_RECENT_YEARS))
    throw new SettingsError(
      `${setting}: recent:N takes a whole number N from 1 to ${MAX_RECENT_YEARS}, got ${quotedValue(text)}`,
    );
  return n;
}

/** A comma-separated list of years, each from 1970 to 2100 and named once. */
export function checkYearList(text: string): void {
  const years = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (years.length === 0) throw new SettingsError('SYNC_YEARS: no year given (e.g. 2024,2025 or recent:3)');
  const seen = new Set<string>();
  for (const y of years) {
    if (!/^\d{4}$/.test(y) || Number(y) < MIN_YEAR || Number(y) > MAX_YEAR)
      throw new SettingsError(
        `SYNC_YEARS: each year must be from ${MIN_YEAR} to ${MAX_YEAR} (or use recent:N), got ${quotedValue(y)}`,
      );
    if (seen.has(y)) throw new SettingsError(`SYNC_YEARS: ${y} is named twice`);
    seen.add(y);
  }
}

/**
 * SYNC_START_DATE: YYYY-MM-DD or an ISO datetime, a day that exists (Date would read 2026-02-30 as
 * March 2nd) in the years 1970 to 2100.
 */
export function checkStartDate(text: string): void {
  const fail = (problem: string): never => {
    throw new SettingsError(`SYNC_START_DATE: ${problem}, got ${quotedValue(text)}`);
  };
  const problem = dateProblem(text);
  if (problem === 'form')
    fail('must be a date such as 2024-01-01 (or an ISO datetime such as 2024-01-01T00:00:00Z)');
  if (problem === 'year') fail(`the year must be from ${MIN_YEAR} to ${MAX_YEAR}`);
  if (problem === 'day') fail('no such day');
  if (problem === 'time') fail('no such time of day');
}
