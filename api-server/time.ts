// Date helpers in the API's formats. All arithmetic is in UTC epoch milliseconds.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** 'YYYY-MM-DDTHH:MM:SSZ' — the API never sends fractional seconds. */
export function formatDateTime(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');
}

/** 'YYYY-MM-DD' */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function parseDate(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function startOfYear(year: number): number {
  return Date.UTC(year, 0, 1);
}

export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses an ISO 8601 query parameter into epoch ms, or null when it is not one.
 * Accepts 'YYYY-MM-DD', with time, with or without seconds/fractions and with 'Z', an offset or no zone.
 * Without a zone the value is taken as UTC: the API speaks UTC everywhere.
 */
export function parseIsoParam(value: string): number | null {
  const m = ISO_RE.exec(value.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  // Date.UTC rolls 2023-02-31 over to March: reject such dates instead.
  if (new Date(local).getUTCDate() !== day) return null;
  return local - zoneOffsetMs(m[8]);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * HOUR + minutes * MINUTE);
}
