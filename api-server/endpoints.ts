// The list endpoints, in both route families: the v2 routes (rows under the resource's own key, most lists
// unpaged) and today's routes (/v3, /v4: rows under `data`, every list paged). Both serve the same records.
// Each validates its parameters, filters the live dataset, orders (by id unless said) and pages.
import { lumpsumServicePrice, userName } from './catalog';
import { byDateAndUser } from './gen-reports';
import { ApiError } from './http-util';
import { byId } from './ids';
import { readPaging, paginate, PagingLimits } from './paging';
import { boolFilter, enumFilter, positiveInt, Query, requireTimeWindow, requireYear } from './params';
import { SECOND, formatDateTime, parseIsoParam } from './time';
import { Absence, Dataset, EnhancedEntryFields, Entry, UserReport, WorkTimeDay } from './types';

export interface EndpointContext {
  /** Read on every request: tests mutate the dataset between requests. */
  dataset: Dataset;
  limits: PagingLimits;
}

export type Handler = (query: Query, ctx: EndpointContext) => unknown;

/** Records with an id, by the Dataset array that holds them. */
type IdResource = {
  [K in keyof Dataset]: Dataset[K] extends { id: number }[] ? K : never;
}[keyof Dataset];

/** Routes by path after '/api'. */
export const ENDPOINTS: Record<string, Handler> = {
  // v2 family
  '/v2/projects': (q, ctx) => listProjects('projects', q, ctx),
  '/v2/customers': (q, ctx) => listCustomers('customers', q, ctx),
  '/v2/absences': (q, ctx) => ({ absences: absencesOfYear(q, ctx, 'year', 'users_id') }),
  '/v2/entries': listEntries,
  '/v2/services': unpaged('services', 'services'),
  '/v2/lumpsumservices': unpaged('lumpSumServices', 'lumpsum_services'),
  '/v2/users': unpaged('users', 'users'),
  '/v2/teams': unpaged('teams', 'teams'),
  '/v2/surcharges': unpaged('surcharges', 'surcharges'),
  // Today's family: the same records under `data`, paged.
  '/v3/customers': (q, ctx) => listCustomers('data', q, ctx),
  '/v4/projects': (q, ctx) => listProjects('data', q, ctx),
  '/v4/absences': (q, ctx) =>
    paged('data', absencesOfYear(q, ctx, 'filter[year]', 'filter[users_id]'), q, ctx),
  '/v4/services': pagedList('services'),
  '/v4/lumpSumServices': pagedList('lumpsum_services'),
  '/v3/users': pagedList('users'),
  '/v3/teams': (q, ctx) => paged('data', ctx.dataset.teams, q, ctx),
  // The same in both families.
  '/v2/nonbusinessDays': listNonbusinessDays,
  '/targethours': perUser('targethours', 'target_hours'),
  '/holidaysquota': perUser('holidaysquota', 'holidays_quota'),
  '/holidayscarry': perUser('holidayscarry', 'holidays_carry'),
  '/overtimecarry': perUser('overtimecarry', 'overtime_carry'),
  '/userreports': listUserReports,
  '/v2/workTimes': listWorkTimes,
};

/** Stable order by id; the generator already delivers id order, so usually no copy is needed. */
function sortedById<T extends { id: number }>(items: T[]): T[] {
  return sortedBy(items, byId);
}

/** Stable order by `compare`; a list already in that order is returned as is. */
function sortedBy<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1], items[i]) > 0) return [...items].sort(compare);
  }
  return items;
}

function paged<T extends { id: number }>(
  key: string,
  items: T[],
  query: Query,
  ctx: EndpointContext,
): unknown {
  return pagedInOrder(key, sortedById(items), query, ctx);
}

function pagedInOrder<T>(key: string, ordered: T[], query: Query, ctx: EndpointContext): unknown {
  const { page, itemsPerPage } = readPaging(query, ctx.limits);
  const { paging, items: pageItems } = paginate(ordered, page, itemsPerPage);
  return { paging, [key]: pageItems };
}

function listProjects(key: string, query: Query, ctx: EndpointContext): unknown {
  const customersId = positiveInt(query, 'filter[customers_id]');
  const active = boolFilter(query, 'filter[active]');
  const items = ctx.dataset.projects.filter(
    (p) =>
      (customersId === undefined || p.customers_id === customersId) &&
      (active === undefined || p.active === active),
  );
  return paged(key, items, query, ctx);
}

function listCustomers(key: string, query: Query, ctx: EndpointContext): unknown {
  const active = boolFilter(query, 'filter[active]');
  const items = ctx.dataset.customers.filter((c) => active === undefined || c.active === active);
  return paged(key, items, query, ctx);
}

/**
 * The absences of a year (required), by id. An absence belongs to every year it overlaps, so a
 * December–January one is in both. v2 names the parameters `year`/`users_id`, today's routes `filter[...]`.
 */
function absencesOfYear(
  query: Query,
  ctx: EndpointContext,
  yearParam: string,
  usersParam: string,
): Absence[] {
  const year = requireYear(query, yearParam);
  const usersId = positiveInt(query, usersParam);
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  const absences = ctx.dataset.absences.filter(
    (a: Absence) =>
      a.date_since <= last && a.date_until >= first && (usersId === undefined || a.users_id === usersId),
  );
  return sortedById(absences);
}

/** A v2 list that is not paged: every record, by id. */
function unpaged(key: string, resource: IdResource): Handler {
  return (_query, ctx) => ({ [key]: sortedById<{ id: number }>(ctx.dataset[resource]) });
}

/** A list of today's family with an optional `filter[active]`: rows under `data`, paged. */
function pagedList(resource: 'services' | 'lumpsum_services' | 'users'): Handler {
  return (query, ctx) => {
    const active = boolFilter(query, 'filter[active]');
    const items: { id: number; active: boolean }[] = ctx.dataset[resource];
    return paged('data', active === undefined ? items : items.filter((r) => r.active === active), query, ctx);
  };
}

/** An unpaged list of per-user records, with optional `users_id` (and `year` where records have one). */
function perUser(
  key: string,
  resource: 'target_hours' | 'holidays_quota' | 'holidays_carry' | 'overtime_carry',
): Handler {
  return (query, ctx) => {
    const usersId = positiveInt(query, 'users_id');
    const year = query['year'] === undefined ? undefined : requireYear(query, 'year');
    type PerUser = {
      id: number;
      users_id: number;
      year?: number;
      year_since?: number;
      year_until?: number | null;
    };
    // A quota matches the years it covers; target hours have no year and ignore the parameter.
    const inYear = (r: PerUser): boolean =>
      year === undefined ||
      (r.year !== undefined
        ? r.year === year
        : r.year_since === undefined ||
          (r.year_since <= year && (r.year_until == null || year <= r.year_until)));
    const items = (ctx.dataset[resource] as PerUser[]).filter(
      (r) => (usersId === undefined || r.users_id === usersId) && inYear(r),
    );
    return { [key]: sortedById(items) };
  };
}

/** Not paged; `year` required; optional `nonbusinessgroups_id`. */
function listNonbusinessDays(query: Query, ctx: EndpointContext): unknown {
  const year = requireYear(query, 'year');
  const groupId = positiveInt(query, 'nonbusinessgroups_id');
  const prefix = `${year}-`;
  const days = ctx.dataset.nonbusiness_days.filter(
    (d) => d.date.startsWith(prefix) && (groupId === undefined || d.nonbusinessgroups_id === groupId),
  );
  return { nonbusinessdays: sortedById(days) };
}

/** Not paged; `year` required; one row per user (ordered by users_id), no id and no year field. */
function listUserReports(query: Query, ctx: EndpointContext): unknown {
  const year = requireYear(query, 'year');
  const usersId = positiveInt(query, 'users_id');
  const rows = ctx.dataset.user_reports[String(year)] ?? [];
  const items = rows.filter((r) => usersId === undefined || r.users_id === usersId);
  return { userreports: sortedBy(items, (a: UserReport, b: UserReport) => a.users_id - b.users_id) };
}

/**
 * Work time days whose date lies in [date_since, date_until], inclusive at both ends; both required
 * ('YYYY-MM-DD'). Paged like the other paged lists, ordered by (date, users_id). Optional `users_id`.
 */
function listWorkTimes(query: Query, ctx: EndpointContext): unknown {
  const [since, until] = requireDateWindow(query, 'date_since', 'date_until');
  const usersId = positiveInt(query, 'users_id');
  readPaging(query, ctx.limits);
  const days = sortedBy(ctx.dataset.work_times, byDateAndUser).filter(
    (d: WorkTimeDay) =>
      d.date >= since && d.date <= until && (usersId === undefined || d.users_id === usersId),
  );
  return pagedInOrder('work_time_days', days, query, ctx);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Both dates required as 'YYYY-MM-DD'; reports every missing or malformed one at once. */
function requireDateWindow(query: Query, sinceName: string, untilName: string): [string, string] {
  const missing = [sinceName, untilName].filter(
    (name) => query[name] === undefined || query[name].trim() === '',
  );
  if (missing.length > 0)
    throw new ApiError(400, `Missing required parameter(s): ${missing.join(', ')}`, missing);
  const valid = (raw: string): boolean => DATE_RE.test(raw.trim()) && parseIsoParam(raw.trim()) !== null;
  const bad = [sinceName, untilName].filter((name) => !valid(query[name]));
  if (bad.length > 0)
    throw new ApiError(400, `Parameter(s) ${bad.join(', ')} must be dates (YYYY-MM-DD)`, bad);
  const since = query[sinceName].trim();
  const until = query[untilName].trim();
  if (since > until) {
    throw new ApiError(400, `${sinceName} must not be after ${untilName}`, [sinceName, untilName]);
  }
  return [since, until];
}

/**
 * Entries whose time_since lies in [time_since, time_until], inclusive at BOTH ends, as the real API is
 * believed to behave. A client tiling windows must therefore de-duplicate by id (or end a window one
 * second before the next one starts).
 */
function listEntries(query: Query, ctx: EndpointContext): unknown {
  const [sinceMs, untilMs] = requireTimeWindow(query, 'time_since', 'time_until');
  const filters = {
    users_id: positiveInt(query, 'filter[users_id]'),
    customers_id: positiveInt(query, 'filter[customers_id]'),
    projects_id: positiveInt(query, 'filter[projects_id]'),
    services_id: positiveInt(query, 'filter[services_id]'),
    lumpsum_services_id: positiveInt(query, 'filter[lumpsum_services_id]'),
    billable: enumFilter(query, 'filter[billable]', [0, 1, 2]),
  };
  readPaging(query, ctx.limits); // reject bad paging before the (larger) scan
  // Only the filters actually given, resolved once: this loop runs over every entry in the window.
  const active = Object.entries(filters).filter((f): f is [string, number] => f[1] !== undefined);
  const items: Entry[] = [];
  for (const e of entriesInWindow(ctx.dataset.entries, sinceMs, untilMs)) {
    const fields = e as unknown as Record<string, unknown>;
    if (active.length > 0 && !active.every(([field, wanted]) => fields[field] === wanted)) continue;
    items.push(e);
  }
  const result = paged('entries', items, query, ctx) as Record<string, unknown> & { entries: Entry[] };
  const enhanced = query['enhanced_list'] === '1' || query['enhanced_list'] === 'true';
  if (enhanced) result.entries = result.entries.map(enhancer(ctx.dataset));
  return result;
}

/**
 * The entries list ordered by time_since, so a window is two binary searches instead of a scan of
 * every entry on every page (a million entries, a thousand pages). Kept while the list holds the
 * same records: tests replace, add and remove entries between requests, and a copy of the element
 * references tells that in one pass of pointer comparisons.
 */
interface EntryIndex {
  source: Entry[];
  refs: Entry[];
  /** Positions in `source` of entries in our own datetime format, ordered by time_since. */
  byStart: Int32Array;
  starts: string[];
  /** Positions of entries in any other format (tests plant some): checked one by one. */
  others: number[];
  /** Windows already answered from this index (a client pages through one window many times). */
  windows: Map<string, Entry[]>;
}
let entryIndex: EntryIndex | undefined;

function indexFor(entries: Entry[]): EntryIndex {
  const cached = entryIndex;
  if (cached && cached.source === entries && cached.refs.length === entries.length) {
    let same = true;
    for (let i = 0; i < entries.length && same; i++) same = cached.refs[i] === entries[i];
    if (same) return cached;
  }
  const ours: number[] = [];
  const others: number[] = [];
  entries.forEach((e, i) => (e.time_since.length === 20 ? ours : others).push(i));
  const starts = entries.map((e) => e.time_since);
  const byStart = Int32Array.from(ours).sort((a, b) =>
    starts[a] < starts[b] ? -1 : starts[a] > starts[b] ? 1 : a - b,
  );
  entryIndex = {
    source: entries,
    refs: [...entries],
    byStart,
    starts: Array.from(byStart, (i) => starts[i]),
    others,
    windows: new Map(),
  };
  return entryIndex;
}

/** Entries whose time_since lies in [sinceMs, untilMs], in the list's own order. */
function entriesInWindow(entries: Entry[], sinceMs: number, untilMs: number): Entry[] {
  const index = indexFor(entries);
  const key = `${sinceMs}|${untilMs}`;
  const known = index.windows.get(key);
  if (known) return known;
  const found = scanWindow(index, entries, sinceMs, untilMs);
  if (index.windows.size >= 64) index.windows.delete(index.windows.keys().next().value as string);
  index.windows.set(key, found);
  return found;
}

function scanWindow(index: EntryIndex, entries: Entry[], sinceMs: number, untilMs: number): Entry[] {
  const lo = formatDateTime(Math.ceil(sinceMs / SECOND) * SECOND);
  const hi = formatDateTime(Math.floor(untilMs / SECOND) * SECOND);
  const first = lowerBound(index.starts, lo);
  const end = lowerBound(index.starts, hi, true);
  const positions = index.byStart.slice(first, Math.max(first, end));
  const inWindow = windowTest(sinceMs, untilMs);
  const extra = index.others.filter((i) => inWindow(entries[i].time_since));
  const all = extra.length ? Int32Array.from([...positions, ...extra]) : positions;
  // Positions in ascending order keep the list's order (by id, as the generator and tests keep it).
  return Array.from(all.sort(), (i) => entries[i]);
}

/** The first position whose value is >= key (> key when `after`). */
function lowerBound(sorted: string[], key: string, after = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key || (after && sorted[mid] === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Our datetimes are all 'YYYY-MM-DDTHH:MM:SSZ', so string comparison is exact and much cheaper than parsing;
 * anything else (a test may plant other formats) falls back to Date.parse.
 */
function windowTest(sinceMs: number, untilMs: number): (timeSince: string) => boolean {
  const lo = formatDateTime(Math.ceil(sinceMs / SECOND) * SECOND);
  const hi = formatDateTime(Math.floor(untilMs / SECOND) * SECOND);
  return (t) => {
    if (t.length === 20) return t >= lo && t <= hi; // only our own format has exactly 20 characters
    const ms = Date.parse(t);
    return ms >= sinceMs && ms <= untilMs;
  };
}

function enhancer(dataset: Dataset): (e: Entry) => Entry & EnhancedEntryFields {
  const customers = new Map(dataset.customers.map((c) => [c.id, c.name]));
  const projects = new Map(dataset.projects.map((p) => [p.id, p.name]));
  return (e) => ({
    ...e,
    customers_name: customers.get(e.customers_id) ?? '',
    projects_name: e.projects_id === null ? null : (projects.get(e.projects_id) ?? null),
    users_name: userName(e.users_id),
    revenue: revenueOf(e),
  });
}

function revenueOf(e: Entry): number | null {
  if (e.billable === 0) return 0;
  let value: number;
  if (e.type === 1) {
    if (e.duration === null) return null;
    value = (e.hourly_rate * e.duration) / 3600;
  } else if (e.type === 2) {
    value = e.lumpsum;
  } else {
    value = e.lumpsum_services_amount * lumpsumServicePrice(e.lumpsum_services_id);
  }
  return Math.round(value * 100) / 100;
}
