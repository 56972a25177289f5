// What one webhook request says, read without side effects: the token it carries, whether it is
// Clockodo's validation request, and which of our resources its event changes. Clockodo's docs do not
// show the request's shape beyond the event name, so the token is looked for where senders put one,
// and the URL path may name the resource whatever the body holds.
import { createHash, timingSafeEqual } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import { entityOfEvent, resourcesOfEntity, WEBHOOK_ENTITIES } from '../domain/webhook-events';

/** Headers a sender may carry the token in (besides `Authorization: Bearer <token>` or `Authorization: <token>`). */
const TOKEN_HEADERS = ['x-clockodo-token', 'x-webhook-token', 'x-token', 'token'];
/** Body fields and headers that may name the event. */
const EVENT_FIELDS = ['event', 'type', 'event_type', 'eventType', 'event_name', 'topic', 'action'];
const EVENT_HEADERS = ['x-clockodo-event', 'x-webhook-event', 'x-event'];
/** URL parameters that may carry the secret of Clockodo's validation request. */
const VALIDATION_PARAMS = [
  'secret',
  'validation',
  'validation_secret',
  'validationSecret',
  'validation_token',
  'validationToken',
  'verification',
  'challenge',
];

/** Every token the request carries: headers, `token` URL parameter, and a `token` body field. */
export function tokensOf(headers: IncomingHttpHeaders, query: URLSearchParams, body: unknown): string[] {
  const found: string[] = [];
  const auth = headers.authorization;
  if (auth) found.push(auth.replace(/^(Bearer|Token)\s+/i, '').trim());
  for (const h of TOKEN_HEADERS) {
    const v = headers[h];
    if (typeof v === 'string') found.push(v.trim());
  }
  found.push(...query.getAll('token'));
  if (isRecord(body) && typeof body.token === 'string') found.push(body.token);
  return found;
}

/**
 * Whether `given` is the token. Both are hashed first, so the comparison takes the same time whatever
 * the lengths and wherever they differ.
 */
export function sameToken(given: string, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The validation secret a request's URL carries, if it is Clockodo's validation request. */
export function validationSecret(query: URLSearchParams): string | undefined {
  for (const name of VALIDATION_PARAMS) {
    const v = query.get(name);
    if (v) return v;
  }
  return undefined;
}

/** Shown in a log line: printable ASCII only, cut short (the value comes from outside). */
export const printable = (text: string, max = 200) => text.replace(/[^\x20-\x7e]/g, '?').slice(0, max);

/** The event names a body (one event, or a list of them) and the headers give, as sent. */
export function eventNamesOf(headers: IncomingHttpHeaders, body: unknown): string[] {
  const names: string[] = [];
  for (const item of Array.isArray(body) ? body : [body]) {
    if (!isRecord(item)) continue;
    const field = EVENT_FIELDS.map((f) => item[f]).find(
      (v): v is string => typeof v === 'string' && /^[a-z_]+\.[a-z_]+$/.test(v),
    );
    if (field) names.push(field);
  }
  if (names.length) return names;
  // No event in the body: the first event header, if any.
  const header = EVENT_HEADERS.map((h) => headers[h]).find((v): v is string => typeof v === 'string');
  return header ? [header.trim()] : [];
}

/** A resource a request changes: the latest event naming it, and how many did. */
export interface Changed {
  resource: string;
  event: string;
  count: number;
}

export type Target =
  | { kind: 'resources'; changed: Changed[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unknown-path'; name: string };

/**
 * The resources a request's events change. A path `/clockodo/<resource>` (or `/clockodo/<entity>`,
 * `entry`) names them whatever the body holds; otherwise the events do.
 */
export function targetOf(
  pathName: string | undefined,
  events: string[],
  configured: readonly string[],
): Target {
  if (pathName !== undefined) {
    const resources = configured.includes(pathName)
      ? [pathName]
      : pathName in WEBHOOK_ENTITIES
        ? resourcesOfEntity(pathName, configured)
        : [];
    if (!resources.length) return { kind: 'unknown-path', name: pathName };
    const event = events.length ? printable(events[events.length - 1], 60) : `path:${pathName}`;
    return {
      kind: 'resources',
      changed: resources.map((resource) => ({ resource, event, count: Math.max(1, events.length) })),
    };
  }
  if (!events.length) return { kind: 'ignored', reason: 'no event name in the body or headers' };
  const changed = new Map<string, Changed>();
  for (const event of events) {
    const entity = entityOfEvent(event);
    if (!entity) continue;
    for (const resource of resourcesOfEntity(entity, configured)) {
      const had = changed.get(resource);
      changed.set(resource, { resource, event, count: (had?.count ?? 0) + 1 });
    }
  }
  if (changed.size) return { kind: 'resources', changed: [...changed.values()] };
  const known = events.filter((e) => entityOfEvent(e) !== undefined);
  return {
    kind: 'ignored',
    reason: known.length
      ? `no configured resource holds ${[...new Set(known.map((e) => e.split('.')[0]))].join(', ')}`
      : `unknown event ${printable(events[0], 60)}`,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
