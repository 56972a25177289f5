// The entry write routes of Clockodo's API as the public SDK (peerigon/clockodo at 7240c63) calls them:
// POST /v2/entries (addEntry), PUT /v2/entries/{id} (editEntry), DELETE /v2/entries/{id} (deleteEntry),
// and GET /v2/entries/{id} (getEntry). Bodies are JSON in snake_case (the SDK maps its camelCase params);
// answers `{"entry": {...}}` and `{"success": true}`. Required on add, as the SDK checks them
// (src/lib/requiredParams.ts): customers_id, billable, time_since, and by type: services_id and
// time_until (time entry; `"time_until": null` starts a running clock), services_id and lumpsum (lump-sum
// value), lumpsum_services_id and lumpsum_services_amount (lump-sum service). A bad field is a 400 naming
// it, an unknown id a 404, both in the API's error body.
import { ApiError } from './http-util';
import { appendNew, indexOfId, nextId } from './record-edits';
import { formatDateTime, parseIsoParam, SECOND } from './time';
import { Billable, Dataset, Entry } from './types';

export const ENTRIES_PATH = '/v2/entries';
const ITEM_RE = /^\/v2\/entries\/(\d+)$/;

/** The id of `/v2/entries/{id}`; undefined for any other path. */
export function entryItemId(path: string): number | undefined {
  const m = ITEM_RE.exec(path);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

type Body = Record<string, unknown>;
type Field = { name: string; value: unknown };

/** The body as an object; anything else is a 400. */
export function bodyObject(text: string): Body {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'Body must be JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, 'Body must be a JSON object');
  }
  return parsed as Body;
}

export function getEntry(dataset: Dataset, id: number): Entry {
  const at = indexOfId(dataset.entries, id);
  if (at < 0) throw notFound(id);
  return dataset.entries[at];
}

/** Adds the entry the body describes, under a new id; returns it. */
export function addEntry(dataset: Dataset, body: Body, nowMs: number): Entry {
  const type = entryType(body);
  const required = ['customers_id', 'billable', 'time_since'];
  if (type === 1) required.push('services_id', 'time_until');
  if (type === 2) required.push('services_id', 'lumpsum');
  if (type === 3) required.push('lumpsum_services_id', 'lumpsum_services_amount');
  const missing = required.filter((name) => body[name] === undefined);
  if (missing.length > 0) {
    throw new ApiError(400, `Missing required field(s): ${missing.join(', ')}`, missing);
  }
  const users = dataset.users;
  const owner = users.find((u) => u.role === 'owner') ?? users[0];
  const usersId = body.users_id === undefined ? (owner?.id ?? 1) : refId(dataset, field(body, 'users_id'));
  const now = formatDateTime(nowMs);
  const draft: Record<string, unknown> = {
    id: 0,
    customers_id: 0,
    projects_id: null,
    users_id: usersId,
    billable: 1,
    texts_id: null,
    text: null,
    time_since: now,
    time_until: null,
    time_insert: now,
    time_last_change: now,
    type,
  };
  if (type === 1) {
    Object.assign(draft, {
      services_id: 0,
      duration: null,
      offset: 0,
      clocked: false,
      clocked_offline: false,
      time_clocked_since: null,
      time_last_change_work_time: now,
      hourly_rate: hourlyRateOf(dataset, usersId),
    });
  }
  const entry = applyFields(dataset, draft as unknown as Entry, body, type, nowMs);
  if (entry.type !== 1 && entry.time_until === null) entry.time_until = entry.time_since; // lump sums have no span
  if (entry.type === 1 && entry.time_until === null) {
    // A running clock (the SDK's ClockingTimeEntry): clocked since its start.
    Object.assign(entry, { clocked: true, time_clocked_since: entry.time_since, duration: null });
  } else if (entry.type === 1) {
    entry.time_clocked_since = entry.clocked ? entry.time_since : null;
  }
  entry.id = nextId(dataset.entries);
  appendNew(dataset.entries, entry);
  return entry;
}

/** Changes the fields the body gives (others stay), stamps time_last_change; returns the new record. */
export function editEntry(dataset: Dataset, id: number, body: Body, nowMs: number): Entry {
  const at = indexOfId(dataset.entries, id);
  if (at < 0) throw notFound(id);
  const current = dataset.entries[at];
  if (body.id !== undefined && body.id !== id) throw new ApiError(400, 'id does not match the path', ['id']);
  if (body.type !== undefined && body.type !== current.type) {
    throw new ApiError(400, "An entry's type cannot be changed", ['type']);
  }
  const changed = applyFields(dataset, { ...current }, body, current.type, nowMs);
  changed.time_last_change = formatDateTime(nowMs);
  // Replaced, not patched: the entries index (endpoints.ts) notices a new reference.
  dataset.entries[at] = changed;
  return changed;
}

/** Removes the entry; returns it as it was. */
export function deleteEntry(dataset: Dataset, id: number): Entry {
  const at = indexOfId(dataset.entries, id);
  if (at < 0) throw notFound(id);
  const [removed] = dataset.entries.splice(at, 1);
  return removed;
}

function notFound(id: number): ApiError {
  return new ApiError(404, `Entry ${id} not found`);
}

/** The type the body names, else as the SDK's addEntry tells them: lump-sum service, lump-sum value, time. */
function entryType(body: Body): 1 | 2 | 3 {
  if (body.type !== undefined) {
    if (body.type === 1 || body.type === 2 || body.type === 3) return body.type;
    throw new ApiError(400, 'type must be 1, 2 or 3', ['type']);
  }
  if (body.lumpsum_services_id !== undefined) return 3;
  if (body.lumpsum !== undefined) return 2;
  return 1;
}

/** Fields of one entry type only; given for another type they are a 400. */
const TYPE_FIELDS: Record<string, readonly number[]> = {
  services_id: [1, 2],
  offset: [1],
  clocked: [1],
  clocked_offline: [1],
  hourly_rate: [1],
  lumpsum: [2],
  lumpsum_services_id: [3],
  lumpsum_services_amount: [3],
};

/**
 * `entry` with the body's fields applied and checked, then the derived ones recomputed (duration,
 * texts_id, time_last_change_work_time). Fields the API manages (id, time_insert, ...) and unknown ones
 * are ignored, as a lenient API does.
 */
function applyFields(dataset: Dataset, entry: Entry, body: Body, type: number, nowMs: number): Entry {
  const out = entry as unknown as Record<string, unknown>;
  for (const [name, types] of Object.entries(TYPE_FIELDS)) {
    if (body[name] !== undefined && !types.includes(type)) {
      throw new ApiError(400, `${name} is not a field of a type ${type} entry`, [name]);
    }
  }
  const given = (name: string): Field | undefined =>
    body[name] === undefined ? undefined : field(body, name);
  const set = (name: string, read: (f: Field) => unknown): void => {
    const f = given(name);
    if (f) out[name] = read(f);
  };
  set('customers_id', (f) => refId(dataset, f));
  set('projects_id', (f) => (f.value === null ? null : refId(dataset, f)));
  set('users_id', (f) => refId(dataset, f));
  set('services_id', (f) => refId(dataset, f));
  set('lumpsum_services_id', (f) => refId(dataset, f));
  set('billable', (f) => oneOf<Billable>(f, [0, 1, 2]));
  set('text', (f) => {
    if (f.value !== null && typeof f.value !== 'string') throw bad(f, 'a string or null');
    return f.value;
  });
  set('time_since', (f) => datetime(f));
  set('time_until', (f) => (f.value === null ? null : datetime(f)));
  set('offset', (f) => count(f));
  set('clocked', (f) => bool(f));
  set('clocked_offline', (f) => bool(f));
  set('hourly_rate', (f) => amount(f));
  set('lumpsum', (f) => amount(f));
  set('lumpsum_services_amount', (f) => amount(f));

  if (given('text')) out.texts_id = textsIdFor(dataset, out.text as string | null);
  // Checked when either is given: an existing record stays editable whatever it holds.
  if ((given('projects_id') || given('customers_id')) && out.projects_id !== null) {
    const project = dataset.projects.find((p) => p.id === out.projects_id);
    if (project && project.customers_id !== out.customers_id) {
      throw new ApiError(400, `Project ${project.id} belongs to another customer`, ['projects_id']);
    }
  }
  const timesChanged = ['time_since', 'time_until', 'offset'].some((n) => body[n] !== undefined);
  if (!timesChanged) return entry;
  const since = Date.parse(out.time_since as string);
  const until = out.time_until === null ? null : Date.parse(out.time_until as string);
  if (until !== null && until < since) {
    throw new ApiError(400, 'time_until must not be before time_since', ['time_until']);
  }
  if (type !== 1) {
    if (out.time_until === null && body.time_until !== undefined) {
      throw new ApiError(400, 'Only a time entry may run (time_until null)', ['time_until']);
    }
    return entry;
  }
  if (until === null) {
    out.duration = null;
  } else {
    const duration = (until - since) / SECOND - (out.offset as number);
    if (duration < 0) throw new ApiError(400, 'offset is longer than the entry', ['offset']);
    out.duration = duration;
  }
  out.time_last_change_work_time = formatDateTime(nowMs);
  return entry;
}

function field(body: Body, name: string): Field {
  return { name, value: body[name] };
}

function bad(f: Field, what: string): ApiError {
  return new ApiError(400, `${f.name} must be ${what}`, [f.name]);
}

function positiveId(f: Field): number {
  if (!Number.isSafeInteger(f.value) || (f.value as number) < 1) throw bad(f, 'a positive integer');
  return f.value as number;
}

/** Which list an id field refers to: the API rejects ids of records that do not exist. */
const REFERENCES: Record<string, keyof Dataset> = {
  customers_id: 'customers',
  projects_id: 'projects',
  users_id: 'users',
  services_id: 'services',
  lumpsum_services_id: 'lumpsum_services',
};

function refId(dataset: Dataset, f: Field): number {
  const id = positiveId(f);
  const list = dataset[REFERENCES[f.name]] as { id: number }[];
  if (!list.some((r) => r.id === id)) throw new ApiError(400, `${f.name} ${id} does not exist`, [f.name]);
  return id;
}

function oneOf<T extends number>(f: Field, allowed: readonly T[]): T {
  if (!allowed.includes(f.value as T)) throw bad(f, `one of ${allowed.join(', ')}`);
  return f.value as T;
}

function bool(f: Field): boolean {
  if (typeof f.value !== 'boolean') throw bad(f, 'true or false');
  return f.value;
}

function count(f: Field): number {
  if (!Number.isSafeInteger(f.value) || (f.value as number) < 0) throw bad(f, 'an integer >= 0');
  return f.value as number;
}

function amount(f: Field): number {
  if (typeof f.value !== 'number' || !Number.isFinite(f.value) || f.value < 0) throw bad(f, 'a number >= 0');
  return f.value;
}

/** An ISO 8601 datetime, stored the API's way: UTC, whole seconds, 'Z'. */
function datetime(f: Field): string {
  const ms = typeof f.value === 'string' && /T/.test(f.value) ? parseIsoParam(f.value) : null;
  if (ms === null) throw bad(f, 'an ISO 8601 datetime (2021-06-30T12:34:56Z)');
  return formatDateTime(ms);
}

/** The text's id in the account's list of texts: none for no text, else the one entries with it share. */
function textsIdFor(dataset: Dataset, text: string | null): number | null {
  if (text === null || text === '') return null;
  let max = 0;
  for (const e of dataset.entries) {
    if (e.text === text && e.texts_id !== null) return e.texts_id;
    if (e.texts_id !== null && e.texts_id > max) max = e.texts_id;
  }
  return max + 1;
}

/** A new time entry's rate: what the user's other time entries carry (the generator's default else). */
function hourlyRateOf(dataset: Dataset, usersId: number): number {
  const other = dataset.entries.find((e) => e.type === 1 && e.users_id === usersId);
  return other && other.type === 1 ? other.hourly_rate : 90;
}
