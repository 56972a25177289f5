// One page (or one unpaged partition) of one resource: fetch it, map and decide its rows (preparePage),
// and write them (writePreparedPages: a page run writes several pages at once). Safe to run twice: a
// retry finds its rows stored and writes nothing again.
import { syncIdOf } from '../domain/workflow-ids';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ClickHouseClient } from '@clickhouse/client';
import { recordToRow, Row } from '../clickhouse/row-mapping';
import { insertSeenIds, SeenRecord } from '../clickhouse/sync-state';
import { rememberWritten } from '../clickhouse/stored-state-cache';
import {
  cursorColumnOf,
  decideObservedRows,
  insertQuarantined,
  insertRows,
  QuarantinedRecord,
} from '../clickhouse/writer';
import type { LegacySyncId, PageRequest, PageResult, ReadTarget } from '../domain/types';
import { laterIso, outsideWindow, requestedEnd } from '../domain/windows';
import { endpointPathProblem } from '../config/request-url';
import { ApiAccess, getJson } from './http-client';
import { count } from './telemetry';
import { decidePageStop, pageRequestParams } from '../domain/paging';
import { readRecords } from '../domain/response-paths';

/** The request for a page; `limit` overrides the configured page size (e.g. 1 to read only counts). */
export function pageUrl(
  req: Pick<PageRequest, 'client' | 'resource' | 'page' | 'target'>,
  limit?: number,
): URL {
  const { client, resource, page, target } = req;
  const { endpoint } = resource;
  // The input's path, checked here too: anyone who may start a workflow writes it.
  const problem = endpointPathProblem(endpoint.path);
  if (problem)
    throw ApplicationFailure.nonRetryable(
      `resources ${resource.name}: endpoint.path ${problem}, got ${JSON.stringify(endpoint.path.slice(0, 80))}`,
      'RequestUrlNotAllowed',
    );
  let url: URL;
  try {
    url = new URL(client.base_url.replace(/\/+$/, '') + endpoint.path);
  } catch {
    // Not repeated: the base URL is the input's, and may hold anything.
    throw ApplicationFailure.nonRetryable(
      `resources ${resource.name}: client.base_url and endpoint.path do not make a URL`,
      'RequestUrlNotAllowed',
    );
  }
  for (const [k, v] of Object.entries(endpoint.params)) url.searchParams.set(k, v);
  if (endpoint.paginator) {
    for (const [k, v] of pageRequestParams(endpoint.paginator, page, limit)) url.searchParams.set(k, v);
  }
  if (target.partition !== undefined && endpoint.partition_router) {
    url.searchParams.set(endpoint.partition_router.request_option.field_name, target.partition);
  }
  const inc = endpoint.incremental_sync;
  if (target.window && inc) {
    // A `date` window is whole days (see wholeDays): its first date is its start's first ten characters.
    const { since } = target.window;
    url.searchParams.set(inc.start_param, inc.type === 'date' ? since.slice(0, 10) : since);
    url.searchParams.set(inc.end_param, requestedEnd(inc, target.window));
  }
  return url;
}

export function partitionLabel(target: ReadTarget): string {
  if (target.partition !== undefined) return target.partition;
  if (target.window) return `${target.window.since}..${target.window.until}`;
  return '';
}

export interface FetchPageDeps extends ApiAccess {
  ch: ClickHouseClient;
  database: string;
}

/** A page as the API answered it: its records (under the data selector) and when it was observed. */
export interface PageRead {
  doc: unknown;
  records: unknown[];
  /** The moment the source was observed: what the page says was true then (see merge-order.ts). */
  observedMs: number;
  /** The request, for messages (the URL without credentials). */
  describe: string;
}

type PageCall = Pick<PageRequest, 'client' | 'retry' | 'resource' | 'page' | 'target'>;

/** GETs one page (`limit` as in pageUrl); the response and the request as messages name it. */
export async function getPage(
  deps: ApiAccess,
  req: PageCall,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<{ doc: unknown; describe: string }> {
  const url = pageUrl(req, options.limit);
  const describe = `GET ${req.resource.endpoint.path}?${url.searchParams.toString()}`;
  const doc = await getJson(url.toString(), describe, {
    client: req.client,
    retry: req.retry,
    secrets: deps.secrets,
    policy: deps.credentialPolicy,
    agent: deps.apiAgent,
    signal: options.signal,
  });
  return { doc, describe };
}

/** Fetches one page of a target and finds its records; a response without them cannot heal. */
export async function readPage(deps: ApiAccess, req: PageCall): Promise<PageRead> {
  const { doc, describe } = await getPage(deps, req, { signal: safeCancellationSignal() });
  const observedMs = Date.now();
  const selectors = req.resource.endpoint.data_selector;
  const records = readRecords(doc, selectors);
  if (records === undefined) {
    const keys = doc && typeof doc === 'object' ? Object.keys(doc).join(', ') : typeof doc;
    throw ApplicationFailure.nonRetryable(
      `${describe}: the response has no list at data_selector ${selectors.map((p) => `"${p}"`).join(' or ')} (it has: ${keys})`,
      'UnexpectedResponseShape',
    );
  }
  return { doc, records, observedMs, describe };
}

/** Whether a record lies past its window's end (read because the end parameter reaches further). */
export function pastWindow(req: Pick<PageRequest, 'resource' | 'target'>, record: unknown): boolean {
  const inc = req.resource.endpoint.incremental_sync;
  const window = req.target.window;
  if (!inc || !window || record === null || typeof record !== 'object') return false;
  return outsideWindow(inc, window, (record as Record<string, unknown>)[inc.window_field]);
}

/** A page read and decided, with its writes not yet made: a page run buffers several before it writes. */
export interface PreparedPage {
  result: PageResult;
  /** New and changed rows, with their versions (merge-order.ts). */
  rows: Row[];
  seen: SeenRecord[];
  quarantined: QuarantinedRecord[];
  /** When the page was observed (the seen ids' time). */
  observedMs: number;
}

/** Reads one page, maps its records and decides which rows to write; writes nothing. */
export async function preparePage(deps: FetchPageDeps, req: PageRequest): Promise<PreparedPage> {
  const { doc, records, observedMs } = await readPage(deps, req);
  const meta = {
    syncedAt: observedMs,
    syncId: syncIdOf(req),
    partition: partitionLabel(req.target),
    partitionValue: req.target.partition,
  };
  const rows: Row[] = [];
  const quarantined: QuarantinedRecord[] = [];
  let shapeWarnings = 0;
  const inc = req.resource.endpoint.incremental_sync;
  const cursorField = inc?.cursor_field;
  let cursorMax: string | undefined;
  let outside = 0;
  for (const record of records) {
    if (pastWindow(req, record)) {
      outside++;
      continue;
    }
    const mapped = recordToRow(record, req.resource, meta);
    if (!mapped.ok) {
      quarantined.push({ resource: req.resource.name, reason: mapped.reason, raw: JSON.stringify(record) });
      continue;
    }
    rows.push(mapped.row);
    if ((mapped.row._shape_errors as string[]).length) shapeWarnings++;
    const cursor = cursorField ? (record as Record<string, unknown>)[cursorField] : undefined;
    if (typeof cursor === 'string') cursorMax = laterIso(cursorMax, cursor);
  }
  const key = req.resource.key_column;
  const decision = await decideObservedRows(deps.ch, deps.database, req.resource, rows, observedMs, req);
  const stop = decidePageStop(req.resource.endpoint.paginator, doc, req.page, records.length);
  const result: PageResult = {
    page: req.page,
    records: records.length,
    written: decision.write.length,
    unchanged: decision.unchanged,
    stale: decision.stale,
    quarantined: quarantined.length,
    ...(quarantined.length ? { quarantineSamples: quarantined.slice(0, 2).map(describeQuarantined) } : {}),
    shapeWarnings,
    outside,
    retries: 0,
    countPages: stop.countPages,
    countItems: stop.countItems,
    last: stop.last,
    complete: stop.complete,
    lastReason: stop.reason,
    fingerprint: `${records.length}:${String(rows[0]?.[key])}:${String(rows[rows.length - 1]?.[key])}`,
    cursorMax,
  };
  const seen = rows.map((r) => ({ id: r[key] as number, hash: r._hash as number, page: req.page }));
  return { result, rows: decision.write, seen, quarantined, observedMs };
}

/** Writes prepared pages of one read: rows, the ids seen and the quarantined records, each in one insert. */
export async function writePreparedPages(
  deps: FetchPageDeps,
  req: Pick<PageRequest, 'resource' | 'readId' | 'target'> & LegacySyncId & { syncId?: string },
  pages: PreparedPage[],
): Promise<void> {
  if (pages.length === 0) return;
  const syncId = syncIdOf(req);
  const { resource } = req;
  const rows = pages.flatMap((p) => p.rows);
  const at = pages[pages.length - 1].observedMs;
  // Three independent writes: at once. A retry after any of them failed redoes all harmlessly.
  await Promise.all([
    insertRows(deps.ch, deps.database, resource.name, rows),
    insertSeenIds(deps.ch, deps.database, {
      resource: resource.name,
      syncId,
      readId: req.readId,
      records: pages.flatMap((p) => p.seen),
      at,
    }),
    insertQuarantined(
      deps.ch,
      deps.database,
      pages.flatMap((p) => p.quarantined),
      { syncId, syncedAt: at },
    ),
  ]);
  // Only once written: a retry on this worker must not take unwritten rows for stored ones.
  await rememberWritten(
    { db: deps.database, resource, readId: req.readId, cursorColumn: cursorColumnOf(resource) },
    rows,
  );
  const name = resource.name;
  count('clockodo_pages', name, pages.length);
  count('clockodo_rows_written', name, rows.length);
  count(
    'clockodo_rows_unchanged',
    name,
    sum(pages, (p) => p.result.unchanged),
  );
  count(
    'clockodo_rows_quarantined',
    name,
    sum(pages, (p) => p.result.quarantined),
  );
}

const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);

/** One page as one activity (reads that began before page runs): read, decide, write, return facts. */
export async function fetchPage(deps: FetchPageDeps, req: PageRequest): Promise<PageResult> {
  const prepared = await preparePage(deps, req);
  await writePreparedPages(deps, req, [prepared]);
  const retries = currentAttempt() - 1;
  count('clockodo_page_retries', req.resource.name, retries);
  return { ...prepared.result, retries };
}

/** A quarantined record as a run's summary names it: why, and the record itself, shortened. */
export function describeQuarantined(q: QuarantinedRecord): string {
  const raw = q.raw.length > 100 ? `${q.raw.slice(0, 100)}…` : q.raw;
  return `${q.reason}: ${raw}`;
}

/** The activity's attempt (1 for the first). */
function currentAttempt(): number {
  return Context.current().info.attempt;
}

/** The activity's cancellation signal: a cancelled run aborts the request in flight. */
function safeCancellationSignal(): AbortSignal {
  return Context.current().cancellationSignal;
}
