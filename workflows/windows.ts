// Splitting a window of start times into slices. The API's bounds are inclusive at both ends, so a
// slice ends one second before the next begins: no record is read twice, none falls between.
import type { TimeWindow } from '../shared/types';

const DAY_MS = 24 * 60 * 60 * 1000;

/** ISO 8601 UTC without fractions, as the API writes datetimes. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function planSlices(sinceMs: number, untilMs: number, sliceDays: number): TimeWindow[] {
  const slices: TimeWindow[] = [];
  const step = sliceDays * DAY_MS;
  for (let start = sinceMs; start <= untilMs; start += step) {
    const end = Math.min(start + step - 1000, untilMs);
    slices.push({ since: isoSeconds(start), until: isoSeconds(end) });
  }
  return slices;
}

/** Epoch ms of an ISO date or datetime; without a zone it is UTC, as the API's datetimes are. */
export function parseUtc(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
}

/** The window an incremental resource reads: from its start date to `end_datetime` ("now" = runMs). */
export function windowBounds(startDatetime: string, endDatetime: string, runMs: number): [number, number] {
  return [parseUtc(startDatetime), endDatetime === 'now' ? runMs : parseUtc(endDatetime)];
}
