// One page (or one unpaged partition) of one resource: fetch it, write its rows to ClickHouse, and
// return only facts. Safe to run twice: a retry finds its rows stored and writes nothing again.
import { syncIdOf } from '../domain/workflow-ids';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ClickHouseClient } from '@clickhouse/client';
import { recordToRow, Row } from '../clickhouse/row-mapping';
import { insertSeenIds } from '../clickhouse/sync-state';
import { insertQuarantined, QuarantinedRecord, writeObservedRows } from '../clickhouse/writer';
import type { PageRequest, PageResult, ReadTarget } from '../domain/types';
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

export async function fetchPage(deps: FetchPageDeps, req: PageRequest): Promise<PageResult> {
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
  // The cursor field orders states by the source's own clock when it is a datetime column.
  const cursorColumn =
    cursorField && req.resource.columns[cursorField]?.kind === 'datetime' ? cursorField : undefined;
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
  // Three independent writes: at once. A retry after any of them failed redoes all harmlessly.
  const [decision] = await Promise.all([
    writeObservedRows(deps.ch, deps.database, req.resource, rows, observedMs, cursorColumn, req),
    insertSeenIds(deps.ch, deps.database, {
      resource: req.resource.name,
      syncId: syncIdOf(req),
      readId: req.readId,
      page: req.page,
      records: rows.map((r) => ({ id: r[key] as number, hash: r._hash as number })),
      at: observedMs,
    }),
    insertQuarantined(deps.ch, deps.database, quarantined, meta),
  ]);

  const name = req.resource.name;
  count('clockodo_pages', name, 1);
  count('clockodo_rows_written', name, decision.write.length);
  count('clockodo_rows_unchanged', name, decision.unchanged);
  const retries = currentAttempt() - 1;
  count('clockodo_page_retries', name, retries);
  count('clockodo_rows_quarantined', name, quarantined.length);
  const stop = decidePageStop(req.resource.endpoint.paginator, doc, req.page, records.length);
  return {
    page: req.page,
    records: records.length,
    written: decision.write.length,
    unchanged: decision.unchanged,
    stale: decision.stale,
    quarantined: quarantined.length,
    ...(quarantined.length ? { quarantineSamples: quarantined.slice(0, 2).map(describeQuarantined) } : {}),
    shapeWarnings,
    outside,
    retries,
    countPages: stop.countPages,
    countItems: stop.countItems,
    last: stop.last,
    complete: stop.complete,
    lastReason: stop.reason,
    fingerprint: `${records.length}:${String(rows[0]?.[key])}:${String(rows[rows.length - 1]?.[key])}`,
    cursorMax,
  };
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
