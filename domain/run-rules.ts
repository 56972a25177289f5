// Settings that are relative to when a run starts ("this year and the two before", "January 1st of
// the first of those years") travel as rules and are resolved inside the run from its own start time,
// so a schedule made today still reads the right years in 2028. Pure: workflow code imports it.
import { ApplicationFailure } from '@temporalio/common';
import type { SourceConfig } from './source-config';

/** The most years `recent:N` may name: settings are checked against it, and so is a run's input. */
export const MAX_RECENT_YEARS = 50;

export interface RunRules {
  /** SYNC_YEARS: the `recent` years ending with the run's year. */
  years?: { recent: number };
  /** SYNC_START_DATE: January 1st of the first of the `recentYears` years ending with the run's year. */
  startDate?: { recentYears: number };
}

/** The setting a configuration field names when it is exactly `${NAME}`. */
export const SETTING_OF = { years: 'SYNC_YEARS', startDate: 'SYNC_START_DATE' } as const;

/** This year and the n - 1 before, oldest first, at `nowMs` (UTC). */
export function recentYears(n: number, nowMs: number): string[] {
  const year = new Date(nowMs).getUTCFullYear();
  return Array.from({ length: n }, (_, i) => String(year - n + 1 + i));
}

/** January 1st of the first of the n years ending with the year of `nowMs` (UTC). */
export function recentYearsStart(n: number, nowMs: number): string {
  return `${recentYears(n, nowMs)[0]}-01-01`;
}

/** The configuration with every field that follows a relative setting resolved at `nowMs`. */
export function applyRunRules(
  config: SourceConfig,
  rules: RunRules | undefined,
  nowMs: number,
): SourceConfig {
  if (!rules) return config;
  // The input is whoever started the run's: a billion years would take the worker's memory with it.
  for (const n of [rules.years?.recent, rules.startDate?.recentYears]) {
    if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= MAX_RECENT_YEARS))
      throw ApplicationFailure.nonRetryable(
        `rules: recent:N takes a whole number N from 1 to ${MAX_RECENT_YEARS}, got ${String(n).slice(0, 20)}`,
        'ConfigError',
      );
  }
  return {
    ...config,
    resources: config.resources.map((r) => {
      const { partition_router: router, incremental_sync: inc } = r.endpoint;
      return {
        ...r,
        endpoint: {
          ...r.endpoint,
          partition_router:
            router && rules.years && router.values_setting === SETTING_OF.years
              ? { ...router, values: recentYears(rules.years.recent, nowMs) }
              : router,
          incremental_sync:
            inc && rules.startDate && inc.start_setting === SETTING_OF.startDate
              ? { ...inc, start_datetime: recentYearsStart(rules.startDate.recentYears, nowMs) }
              : inc,
        },
      };
    }),
  };
}
