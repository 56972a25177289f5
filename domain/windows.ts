// Time-window arithmetic shared by configuration checks, workflows and tests. Pure and
// dependency-free (workflow code imports it). The API's window bounds are inclusive at both ends, so
// adjacent windows meet one second apart: no record is read twice, none falls between.
import type { DatetimeIncrementalSync } from './source-config';
import type { DeletionScope, TimeWindow } from './types';

export const SECOND_MS = 1000;
export const HOUR_MS = 60 * 60 * SECOND_MS;
export const DAY_MS = 24 * HOUR_MS;

/** ISO 8601 UTC without fractions, as the API writes datetimes. */
export function isoSeconds(ms: number): string {
  return new Date(floorSecond(ms)).toISOString().replace('.000Z', 'Z');
}

const floorSecond = (ms: number) => Math.floor(ms / SECOND_MS) * SECOND_MS;

/** Epoch ms of an ISO date or datetime; without a zone it is UTC, as the API's datetimes are. */
export function parseUtc(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
}

const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** The scope of stored rows that reads of these windows cover (by the window's column). */
export function windowScope(
  inc: Pick<DatetimeIncrementalSync, 'type' | 'window_field'>,
  windows: TimeWindow[],
): DeletionScope {
  return {
    kind: 'windows',
    column: inc.window_field,
    windows,
    ...(inc.type === 'date' ? { days: true } : {}),
  };
}

/**
 * A window widened to whole days (00:00:00 to 23:59:59 UTC), for APIs that take dates: the dates
 * sent then cover exactly the window, and adjacent windows never share a day.
 */
export function wholeDays(w: TimeWindow): TimeWindow {
  return {
    since: isoSeconds(floorDay(parseUtc(w.since))),
    until: isoSeconds(floorDay(parseUtc(w.until)) + DAY_MS - SECOND_MS),
  };
}

/**
 * What a window's end parameter says: one unit past the window's end (a second, or the next day for a
 * `date` window). The API's docs do not say whether the end bound is inclusive: an exclusive reading
 * still returns the window's last second (or day), and what an inclusive one returns past the end is
 * left to the next window (see outsideWindow).
 */
export function requestedEnd(inc: Pick<DatetimeIncrementalSync, 'type'>, w: TimeWindow): string {
  const end = parseUtc(w.until) + (inc.type === 'date' ? DAY_MS : SECOND_MS);
  return inc.type === 'date' ? isoSeconds(end).slice(0, 10) : isoSeconds(end);
}

/**
 * Whether a record's window field puts it past the window's end (read only because the end parameter
 * reaches one unit further): the next window holds it. A value that is not a date or datetime counts as
 * inside: it is written, never dropped.
 */
export function outsideWindow(
  inc: Pick<DatetimeIncrementalSync, 'type'>,
  w: TimeWindow,
  value: unknown,
): boolean {
  if (typeof value !== 'string') return false;
  if (inc.type === 'date')
    return /^\d{4}-\d{2}-\d{2}/.test(value) && value.slice(0, 10) > w.until.slice(0, 10);
  const ms = parseUtc(value);
  return !isNaN(ms) && ms > parseUtc(w.until);
}

/** Tiles [sinceMs, untilMs] (whole seconds) with windows of sliceDays days. */
export function planSlices(sinceMs: number, untilMs: number, sliceDays: number): TimeWindow[] {
  const slices: TimeWindow[] = [];
  const step = sliceDays * DAY_MS;
  const first = floorSecond(sinceMs);
  const last = floorSecond(untilMs);
  for (let start = first; start <= last; start += step) {
    slices.push({ since: isoSeconds(start), until: isoSeconds(Math.min(start + step - SECOND_MS, last)) });
  }
  return slices;
}

/**
 * Two narrower windows that tile `w`, for re-reading a window that changed while it was paged; null
 * when `w` is a single unit: a second (entries starting in the same second cannot be told apart by
 * the API), or a day for windows of whole days (`unitMs` DAY_MS).
 */
export function splitWindow(w: TimeWindow, unitMs = SECOND_MS): [TimeWindow, TimeWindow] | null {
  const since = parseUtc(w.since);
  const until = parseUtc(w.until);
  const units = Math.floor((until - since + SECOND_MS) / unitMs);
  if (units < 2) return null;
  const firstEnd = since + (Math.floor((units - 1) / 2) + 1) * unitMs - SECOND_MS;
  return [
    { since: isoSeconds(since), until: isoSeconds(firstEnd) },
    { since: isoSeconds(firstEnd + SECOND_MS), until: isoSeconds(until) },
  ];
}

export interface WindowRules {
  /** The configuration's start_datetime (SYNC_START_DATE): nothing before it is read. */
  startDatetime: string;
  /** The configuration's min_datetime: nothing before it is read either, whatever the start says. */
  minDatetime?: string;
  /** `now` or a fixed ISO datetime. */
  endDatetime: string;
  lookbackDays: number;
  horizonDays: number;
  cursorMarginMs: number;
}

/** The window's upper bound: a fixed end, or now plus the horizon (planned entries lie ahead). */
function upperBound(rules: WindowRules, nowMs: number): number {
  return rules.endDatetime === 'now' ? nowMs + rules.horizonDays * DAY_MS : parseUtc(rules.endDatetime);
}

/** The earliest instant a read may start at: the start date, or min_datetime when that is later. */
function lowerBound(rules: WindowRules): number {
  const start = parseUtc(rules.startDatetime);
  return rules.minDatetime === undefined ? start : Math.max(start, parseUtc(rules.minDatetime));
}

/** What a reconciliation or full refresh reads: the whole history from the start date. */
export function fullWindow(rules: WindowRules, nowMs: number): TimeWindow {
  return clamp(lowerBound(rules), upperBound(rules, nowMs));
}

/**
 * What an incremental run reads: from the earlier of (cursor - margin) and (now - lookback), never
 * before the start date, to now + horizon. Without a cursor (no complete read yet) it is the full window.
 */
export function incrementalWindow(rules: WindowRules, nowMs: number, cursor: string | undefined): TimeWindow {
  const start = lowerBound(rules);
  if (cursor === undefined) return fullWindow(rules, nowMs);
  const fromCursor = parseUtc(cursor) - rules.cursorMarginMs;
  const fromLookback = nowMs - rules.lookbackDays * DAY_MS;
  return clamp(Math.max(start, Math.min(fromCursor, fromLookback)), upperBound(rules, nowMs));
}

/** A window from sinceMs to untilMs; never past untilMs (a fixed end before the start reads its last second). */
function clamp(sinceMs: number, untilMs: number): TimeWindow {
  const since = Math.min(floorSecond(sinceMs), floorSecond(untilMs));
  return { since: isoSeconds(since), until: isoSeconds(untilMs) };
}

/** The later of two ISO datetimes, compared as instants (undefined counts as absent). */
export function laterIso(a?: string, b?: string): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  // Both in the API's own form (YYYY-MM-DDTHH:MM:SSZ): text order is time order (per record, cheaply).
  if (a.length === 20 && b.length === 20 && a.endsWith('Z') && b.endsWith('Z')) return a >= b ? a : b;
  return parseUtc(a) >= parseUtc(b) ? a : b;
}
