// Query parameter parsing; malformed values raise a 400 ApiError naming the field.
import { ApiError } from './http-util';
import { parseIsoParam } from './time';

export type Query = Record<string, string>;

/** First value wins for repeated keys, as a plain PHP-style reader would not merge them. */
export function queryOf(params: URLSearchParams): Query {
  const query: Query = {};
  for (const [key, value] of params) if (!(key in query)) query[key] = value;
  return query;
}

export function positiveInt(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ApiError(400, `Parameter ${name} must be a positive integer`, [name]);
  }
  return value;
}

export function boolFilter(query: Query, name: string): boolean | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new ApiError(400, `Parameter ${name} must be 0, 1, true or false`, [name]);
}

export function enumFilter(query: Query, name: string, allowed: readonly number[]): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!allowed.includes(value)) {
    throw new ApiError(400, `Parameter ${name} must be one of ${allowed.join(', ')}`, [name]);
  }
  return value;
}

export function requireYear(query: Query, name: string): number {
  const raw = query[name];
  if (raw === undefined || !/^\d{4}$/.test(raw.trim())) {
    throw new ApiError(400, `Parameter ${name} is required and must be a four-digit year`, [name]);
  }
  return Number(raw.trim());
}

/** Both bounds required and ISO 8601; reports every missing or malformed one at once. */
export function requireTimeWindow(query: Query, sinceName: string, untilName: string): [number, number] {
  const missing = [sinceName, untilName].filter(
    (name) => query[name] === undefined || query[name].trim() === '',
  );
  if (missing.length > 0)
    throw new ApiError(400, `Missing required parameter(s): ${missing.join(', ')}`, missing);
  const since = parseIsoParam(query[sinceName]);
  const until = parseIsoParam(query[untilName]);
  const bad = [since === null ? sinceName : '', until === null ? untilName : ''].filter(Boolean);
  if (since === null || until === null) {
    throw new ApiError(400, `Parameter(s) ${bad.join(', ')} must be ISO 8601 datetimes`, bad);
  }
  if (since > until) {
    throw new ApiError(400, `${sinceName} must not be after ${untilName}`, [sinceName, untilName]);
  }
  return [since, until];
}
