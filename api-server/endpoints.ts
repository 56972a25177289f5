// The four list endpoints: validate parameters, filter the live dataset, order by id, page.
import { lumpsumServicePrice, userName } from './catalog';
import { byId } from './ids';
import { readPaging, paginate, PagingLimits } from './paging';
import { boolFilter, enumFilter, positiveInt, Query, requireTimeWindow, requireYear } from './params';
import { SECOND, formatDateTime } from './time';
import { Absence, Dataset, EnhancedEntryFields, Entry } from './types';

export interface EndpointContext {
  /** Read on every request: tests mutate the dataset between requests. */
  dataset: Dataset;
  limits: PagingLimits;
}

export type Handler = (query: Query, ctx: EndpointContext) => unknown;

/** Routes by path after '/api'. */
export const ENDPOINTS: Record<string, Handler> = {
  '/v2/projects': listProjects,
  '/v2/customers': listCustomers,
  '/v2/absences': listAbsences,
  '/v2/entries': listEntries,
};

/** Stable order by id; the generator already delivers id order, so usually no copy is needed. */
function sortedById<T extends { id: number }>(items: T[]): T[] {
  for (let i = 1; i < items.length; i++) {
    if (items[i - 1].id > items[i].id) return [...items].sort(byId);
  }
  return items;
}

function paged<T extends { id: number }>(
  key: string,
  items: T[],
  query: Query,
  ctx: EndpointContext,
): unknown {
  const { page, itemsPerPage } = readPaging(query, ctx.limits);
  const { paging, items: pageItems } = paginate(sortedById(items), page, itemsPerPage);
  return { paging, [key]: pageItems };
}

function listProjects(query: Query, ctx: EndpointContext): unknown {
  const customersId = positiveInt(query, 'filter[customers_id]');
  const active = boolFilter(query, 'filter[active]');
  const items = ctx.dataset.projects.filter(
    (p) =>
      (customersId === undefined || p.customers_id === customersId) &&
      (active === undefined || p.active === active),
  );
  return paged('projects', items, query, ctx);
}

function listCustomers(query: Query, ctx: EndpointContext): unknown {
  const active = boolFilter(query, 'filter[active]');
  const items = ctx.dataset.customers.filter((c) => active === undefined || c.active === active);
  return paged('customers', items, query, ctx);
}

/** Not paged. An absence belongs to every year it overlaps, so a December–January one is in both. */
function listAbsences(query: Query, ctx: EndpointContext): unknown {
  const year = requireYear(query, 'year');
  const usersId = positiveInt(query, 'users_id');
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  const absences = ctx.dataset.absences.filter(
    (a: Absence) =>
      a.date_since <= last && a.date_until >= first && (usersId === undefined || a.users_id === usersId),
  );
  return { absences: sortedById(absences) };
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
