// The list endpoints, in two route families.
// - Docs-era routes (/v2/projects, /v2/surcharges, /nonbusinessdays, /holidayscarry, ...): what accounts on
//   the older routes read. Rows under the resource's own key; most lists unpaged; shapes as Clockodo's docs
//   pages give them (api/surcharges, api/nonbusinessdays, api/holidayscarry, api/overtimecarry, ...).
// - Today's routes (/v3, /v4 and the newer /v2 paths: /v2/surchargeModels, /v2/nonbusinessDays, ...): what
//   the public SDK peerigon/clockodo reads (src/clockodo.ts at 7240c63). Rows under `data`; shapes from its
//   src/models/*.ts (snake_case on the wire). Paged where the SDK pages (projects, customers, subprojects,
//   absences, services, lump-sum services, users, teams, work time change requests), else unpaged.
// - Both: /v2/entries, /targethours, /userreports, /v2/workTimes.
// served.ts says which Dataset list each route reads, under which key, and how it renders a record; here
// each route validates its parameters, filters, orders (by id unless said) and pages.
import { lumpsumServicePrice, userName } from './catalog';
import { byDateAndUser } from './gen-reports';
import { ApiError } from './http-util';
import { byId } from './ids';
import { readPaging, paginate, PagingLimits } from './paging';
import { boolFilter, enumFilter, positiveInt, Query, requireTimeWindow, requireYear } from './params';
import { RecordOf, renderAs, SERVED, ServedPath } from './served';
import { SECOND, formatDateTime, parseIsoParam } from './time';
import {
  Absence,
  Dataset,
  EnhancedEntryFields,
  Entry,
  HolidaysCarry,
  HolidaysQuota,
  NonbusinessDay,
  OvertimeCarry,
  TargetHours,
  UserReport,
  WorkTimeDay,
} from './types';

/**
 * How date_until bounds /v2/workTimes (and the change requests' date filter): the docs do not say whether
 * it is inclusive. 'inclusive': since <= date <= until; 'exclusive': since <= date < until.
 */
export type WorkTimesUntil = 'inclusive' | 'exclusive';

export interface EndpointContext {
  /** Read on every request: tests mutate the dataset between requests. */
  dataset: Dataset;
  limits: PagingLimits;
  workTimesUntil: WorkTimesUntil;
}

export type Handler = (query: Query, ctx: EndpointContext) => unknown;

type ListOf<P extends ServedPath> = RecordOf<(typeof SERVED)[P]['list']>;

/** Routes by path after '/api': exactly the routes served.ts knows. */
const HANDLERS: Record<ServedPath, Handler> = {
  // Docs-era routes.
  '/v2/projects': (q, ctx) => listProjects('/v2/projects', q, ctx),
  '/v2/customers': (q, ctx) => listCustomers('/v2/customers', q, ctx),
  '/v2/absences': (q, ctx) => unpagedAnswer('/v2/absences', absencesOfYear(q, ctx, 'year', 'users_id')),
  '/v2/services': (_q, ctx) => unpagedAnswer('/v2/services', sortedById(ctx.dataset.services)),
  '/v2/lumpsumservices': (_q, ctx) =>
    unpagedAnswer('/v2/lumpsumservices', sortedById(ctx.dataset.lumpsum_services)),
  '/v2/users': (_q, ctx) => unpagedAnswer('/v2/users', sortedById(ctx.dataset.users)),
  '/v2/teams': (_q, ctx) => unpagedAnswer('/v2/teams', sortedById(ctx.dataset.teams)),
  '/v2/surcharges': (_q, ctx) => unpagedAnswer('/v2/surcharges', sortedById(ctx.dataset.surcharges)),
  '/nonbusinessdays': (q, ctx) =>
    unpagedAnswer('/nonbusinessdays', nonbusinessDaysOfYear(q, ctx, 'nonbusinessgroups_id')),
  '/holidaysquota': perUser('/holidaysquota'),
  '/holidayscarry': perUser('/holidayscarry'),
  '/overtimecarry': perUser('/overtimecarry'),
  // Today's routes.
  '/v4/projects': (q, ctx) => listProjects('/v4/projects', q, ctx),
  '/v3/customers': (q, ctx) => listCustomers('/v3/customers', q, ctx),
  '/v3/subprojects': listSubprojects,
  '/v4/absences': (q, ctx) =>
    pagedAnswer('/v4/absences', absencesOfYear(q, ctx, 'filter[year]', 'filter[users_id]'), q, ctx),
  '/v4/services': (q, ctx) => pagedAnswer('/v4/services', activeOnes(q, ctx.dataset.services), q, ctx),
  '/v4/lumpSumServices': (q, ctx) =>
    pagedAnswer('/v4/lumpSumServices', activeOnes(q, ctx.dataset.lumpsum_services), q, ctx),
  '/v3/users': (q, ctx) => pagedAnswer('/v3/users', activeOnes(q, ctx.dataset.users), q, ctx),
  '/v3/teams': (q, ctx) => pagedAnswer('/v3/teams', sortedById(ctx.dataset.teams), q, ctx),
  '/v2/surchargeModels': (_q, ctx) =>
    unpagedAnswer('/v2/surchargeModels', sortedById(ctx.dataset.surcharges)),
  '/v2/nonbusinessGroups': (_q, ctx) =>
    unpagedAnswer('/v2/nonbusinessGroups', sortedById(ctx.dataset.nonbusiness_groups)),
  '/v2/nonbusinessDays': (q, ctx) =>
    unpagedAnswer('/v2/nonbusinessDays', nonbusinessDaysOfYear(q, ctx, 'nonbusiness_group_id')),
  '/v2/holidaysQuota': perUser('/v2/holidaysQuota'),
  '/v3/holidaysCarry': perUser('/v3/holidaysCarry'),
  '/v3/overtimeCarry': perUser('/v3/overtimeCarry'),
  '/v3/overtimeReductions': listOvertimeReductions,
  '/v2/workTimes/changeRequests': listChangeRequests,
  // The same in both families.
  '/v2/entries': listEntries,
  '/targethours': perUser('/targethours'),
  '/userreports': listUserReports,
  '/v2/workTimes': listWorkTimes,
};
export const ENDPOINTS: Readonly<Record<string, Handler | undefined>> = HANDLERS;

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

/** An unpaged answer: every record, rendered as the route sends it, under the route's key. */
function unpagedAnswer<P extends ServedPath>(path: P, records: ListOf<P>[]): unknown {
  return { [SERVED[path].key]: renderAs(path, records) };
}

/** One page of `ordered`, rendered as the route sends it, under the route's key. */
function pagedAnswer<P extends ServedPath>(
  path: P,
  ordered: ListOf<P>[],
  query: Query,
  ctx: EndpointContext,
): unknown {
  const { page, itemsPerPage } = readPaging(query, ctx.limits);
  const { paging, items } = paginate(ordered, page, itemsPerPage);
  return { paging, [SERVED[path].key]: renderAs(path, items) };
}

function listProjects(path: '/v2/projects' | '/v4/projects', query: Query, ctx: EndpointContext): unknown {
  const customersId = positiveInt(query, 'filter[customers_id]');
  const active = boolFilter(query, 'filter[active]');
  const items = ctx.dataset.projects.filter(
    (p) =>
      (customersId === undefined || p.customers_id === customersId) &&
      (active === undefined || p.active === active),
  );
  return pagedAnswer(path, sortedById(items), query, ctx);
}

function listCustomers(path: '/v2/customers' | '/v3/customers', query: Query, ctx: EndpointContext): unknown {
  const active = boolFilter(query, 'filter[active]');
  const items = ctx.dataset.customers.filter((c) => active === undefined || c.active === active);
  return pagedAnswer(path, sortedById(items), query, ctx);
}

/** Records by id, with an optional `filter[active]`. */
function activeOnes<T extends { id: number; active: boolean }>(query: Query, records: T[]): T[] {
  const active = boolFilter(query, 'filter[active]');
  return sortedById(active === undefined ? records : records.filter((r) => r.active === active));
}

/** Paged by id; optional `filter[projects_id]`, `filter[active]`, `filter[completed]` (SDK SubprojectsParams). */
function listSubprojects(query: Query, ctx: EndpointContext): unknown {
  const projectsId = positiveInt(query, 'filter[projects_id]');
  const active = boolFilter(query, 'filter[active]');
  const completed = boolFilter(query, 'filter[completed]');
  const items = ctx.dataset.subprojects.filter(
    (s) =>
      (projectsId === undefined || s.projects_id === projectsId) &&
      (active === undefined || s.active === active) &&
      (completed === undefined || s.completed === completed),
  );
  return pagedAnswer('/v3/subprojects', sortedById(items), query, ctx);
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

type PerUserPath =
  | '/targethours'
  | '/holidaysquota'
  | '/v2/holidaysQuota'
  | '/holidayscarry'
  | '/v3/holidaysCarry'
  | '/overtimecarry'
  | '/v3/overtimeCarry';
type PerUserRecord = TargetHours | HolidaysQuota | HolidaysCarry | OvertimeCarry;

/** An unpaged list of per-user records, with optional `users_id` (and `year` where records have one). */
function perUser(path: PerUserPath): Handler {
  return (query, ctx) => {
    const usersId = positiveInt(query, 'users_id');
    const year = query['year'] === undefined ? undefined : requireYear(query, 'year');
    const records = ctx.dataset[SERVED[path].list] as PerUserRecord[];
    const items = records.filter(
      (r) => (usersId === undefined || r.users_id === usersId) && (year === undefined || inYear(r, year)),
    );
    return unpagedAnswer(path, sortedById(items));
  };
}

/** A carry matches its year, a quota the years it covers; target hours have no year and ignore it. */
function inYear(r: PerUserRecord, year: number): boolean {
  if ('year' in r) return r.year === year;
  if ('year_since' in r) return r.year_since <= year && (r.year_until === null || year <= r.year_until);
  return true;
}

/** Unpaged, by id; optional `users_id`. */
function listOvertimeReductions(query: Query, ctx: EndpointContext): unknown {
  const usersId = positiveInt(query, 'users_id');
  const items = ctx.dataset.overtime_reductions.filter(
    (r) => usersId === undefined || r.users_id === usersId,
  );
  return unpagedAnswer('/v3/overtimeReductions', sortedById(items));
}

/** A year's nonbusiness days (`year` required), by id; optionally of one group (the route names the parameter). */
function nonbusinessDaysOfYear(query: Query, ctx: EndpointContext, groupParam: string): NonbusinessDay[] {
  const year = requireYear(query, 'year');
  const groupId = positiveInt(query, groupParam);
  const days = ctx.dataset.nonbusiness_days[String(year)] ?? [];
  return sortedById(days.filter((d) => groupId === undefined || d.nonbusiness_group_id === groupId));
}

/** Not paged; `year` required; one row per user (ordered by users_id), no id and no year field. */
function listUserReports(query: Query, ctx: EndpointContext): unknown {
  const year = requireYear(query, 'year');
  const usersId = positiveInt(query, 'users_id');
  const rows = ctx.dataset.user_reports[String(year)] ?? [];
  const items = rows.filter((r) => usersId === undefined || r.users_id === usersId);
  return unpagedAnswer(
    '/userreports',
    sortedBy(items, (a: UserReport, b: UserReport) => a.users_id - b.users_id),
  );
}

/**
 * Work time days whose date lies in the window of `date_since` and `date_until`, both required
 * ('YYYY-MM-DD'); date_until counts as ctx.workTimesUntil says. Paged like the other paged lists, ordered
 * by (date, users_id). Optional `users_id`.
 */
function listWorkTimes(query: Query, ctx: EndpointContext): unknown {
  const [since, until] = readDateWindow(query, 'date_since', 'date_until', true);
  const usersId = positiveInt(query, 'users_id');
  readPaging(query, ctx.limits);
  const inWindow = dateWindow(since, until, ctx.workTimesUntil);
  const days = sortedBy(ctx.dataset.work_times, byDateAndUser).filter(
    (d: WorkTimeDay) => inWindow(d.date) && (usersId === undefined || d.users_id === usersId),
  );
  return pagedAnswer('/v2/workTimes', days, query, ctx);
}

/**
 * Work time change requests, paged by id. Optional `date_since`/`date_until` (on the request's date, read
 * like /v2/workTimes reads them), `users_id` and `status` (1 requested, 2 declined).
 */
function listChangeRequests(query: Query, ctx: EndpointContext): unknown {
  const [since, until] = readDateWindow(query, 'date_since', 'date_until', false);
  const usersId = positiveInt(query, 'users_id');
  const status = enumFilter(query, 'status', [1, 2]);
  readPaging(query, ctx.limits);
  const inWindow = dateWindow(since, until, ctx.workTimesUntil);
  const items = ctx.dataset.work_time_change_requests.filter(
    (r) =>
      inWindow(r.date) &&
      (usersId === undefined || r.users_id === usersId) &&
      (status === undefined || r.status === status),
  );
  return pagedAnswer('/v2/workTimes/changeRequests', sortedById(items), query, ctx);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const isDate = (raw: string): boolean => DATE_RE.test(raw.trim()) && parseIsoParam(raw.trim()) !== null;

/**
 * Two dates as 'YYYY-MM-DD', required or each optional; reports every missing or malformed one at once, and
 * a since after its until.
 */
function readDateWindow(query: Query, sinceName: string, untilName: string, required: true): [string, string];
function readDateWindow(
  query: Query,
  sinceName: string,
  untilName: string,
  required: false,
): [string | undefined, string | undefined];
function readDateWindow(
  query: Query,
  sinceName: string,
  untilName: string,
  required: boolean,
): [string | undefined, string | undefined] {
  const names = [sinceName, untilName];
  const missing = required
    ? names.filter((name) => query[name] === undefined || query[name].trim() === '')
    : [];
  if (missing.length > 0)
    throw new ApiError(400, `Missing required parameter(s): ${missing.join(', ')}`, missing);
  const bad = names.filter((name) => query[name] !== undefined && !isDate(query[name]));
  if (bad.length > 0)
    throw new ApiError(400, `Parameter(s) ${bad.join(', ')} must be dates (YYYY-MM-DD)`, bad);
  const since = query[sinceName]?.trim();
  const until = query[untilName]?.trim();
  if (since !== undefined && until !== undefined && since > until) {
    throw new ApiError(400, `${sinceName} must not be after ${untilName}`, [sinceName, untilName]);
  }
  return [since, until];
}

/** Whether a date lies in [since, until] (or [since, until) when exclusive); an absent bound is open. */
function dateWindow(
  since: string | undefined,
  until: string | undefined,
  untilIs: WorkTimesUntil,
): (date: string) => boolean {
  return (date) =>
    (since === undefined || date >= since) &&
    (until === undefined || (untilIs === 'exclusive' ? date < until : date <= until));
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
  const result = pagedAnswer('/v2/entries', sortedById(items), query, ctx) as Record<string, unknown> & {
    entries: Entry[];
  };
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
