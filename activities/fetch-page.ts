// One page (or one unpaged partition) of one resource: fetch it, write its rows to ClickHouse, and
// return only facts. Safe to run twice: a retry finds its rows stored and writes nothing again.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ClickHouseClient } from '@clickhouse/client';
import { recordToRow, Row } from '../clickhouse/row-mapping';
import { insertSeenIds } from '../clickhouse/sync-state';
import { insertQuarantined, QuarantinedRecord, writeObservedRows } from '../clickhouse/writer';
import type { PageRequest, PageResult, ReadTarget } from '../shared/types';
import { laterIso } from '../shared/windows';
import type { ApiAgent } from '../config/worker-credentials';
import { getJson, Secrets } from './http-client';
import { count } from './telemetry';
import { decidePageStop, readPath } from './paging';

/** The request for a page; `limit` overrides the configured page size (e.g. 1 to read only counts). */
export function pageUrl(
  req: Pick<PageRequest, 'client' | 'resource' | 'page' | 'target'>,
  limit?: number,
): URL {
  const { client, resource, page, target } = req;
  const { endpoint } = resource;
  const url = new URL(client.base_url.replace(/\/+$/, '') + endpoint.path);
  for (const [k, v] of Object.entries(endpoint.params)) url.searchParams.set(k, v);
  if (endpoint.paginator) {
    url.searchParams.set(endpoint.paginator.cursor_param, String(page));
    url.searchParams.set(endpoint.paginator.limit_param, String(limit ?? endpoint.paginator.limit));
  }
  if (target.partition !== undefined && endpoint.partition_router) {
    url.searchParams.set(endpoint.partition_router.request_option.field_name, target.partition);
  }
  const inc = endpoint.incremental_sync;
  if (target.window && inc) {
    // A `date` window is whole days (see wholeDays): its dates are its bounds' first ten characters.
    const bound = (iso: string) => (inc.type === 'date' ? iso.slice(0, 10) : iso);
    url.searchParams.set(inc.start_param, bound(target.window.since));
    url.searchParams.set(inc.end_param, bound(target.window.until));
  }
  return url;
}

export function partitionLabel(target: ReadTarget): string {
  if (target.partition !== undefined) return target.partition;
  if (target.window) return `${target.window.since}..${target.window.until}`;
  return '';
}

export interface FetchPageDeps {
  ch: ClickHouseClient;
  database: string;
  secrets: Secrets;
  apiAgent?: ApiAgent;
}

export async function fetchPage(deps: FetchPageDeps, req: PageRequest): Promise<PageResult> {
  const url = pageUrl(req);
  const describe = `GET ${req.resource.endpoint.path}?${url.searchParams.toString()}`;
  const signal = safeCancellationSignal();
  const doc = await getJson(url.toString(), describe, {
    client: req.client,
    retry: req.retry,
    secrets: deps.secrets,
    agent: deps.apiAgent,
    signal,
  });
  // The moment the source was observed: what the page says was true then (see merge-order.ts).
  const observedMs = Date.now();
  const selector = req.resource.endpoint.data_selector;
  const records = readPath(doc, selector);
  if (!Array.isArray(records)) {
    const keys = doc && typeof doc === 'object' ? Object.keys(doc).join(', ') : typeof doc;
    throw ApplicationFailure.nonRetryable(
      `${describe}: the response has no list at data_selector "${selector}" (it has: ${keys})`,
      'UnexpectedResponseShape',
    );
  }

  const meta = {
    syncedAt: observedMs,
    runId: req.runId,
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
  for (const record of records as unknown[]) {
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
  const ids = rows.map((r) => r[req.resource.key_column] as number);
  // Three independent writes: at once. A retry after any of them failed redoes all harmlessly.
  const [decision] = await Promise.all([
    writeObservedRows(deps.ch, deps.database, req.resource, rows, observedMs, cursorColumn, req),
    insertSeenIds(deps.ch, deps.database, {
      resource: req.resource.name,
      runId: req.runId,
      readId: req.readId,
      ids,
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
  const stop = decidePageStop(req.resource.endpoint.paginator, doc, req.page, records.length);
  return {
    page: req.page,
    records: records.length,
    written: decision.write.length,
    unchanged: decision.unchanged,
    stale: decision.stale,
    quarantined: quarantined.length,
    shapeWarnings,
    retries,
    countPages: stop.countPages,
    countItems: stop.countItems,
    last: stop.last,
    complete: stop.complete,
    lastReason: stop.reason,
    fingerprint: `${records.length}:${String(ids[0])}:${String(ids[ids.length - 1])}`,
    cursorMax,
  };
}

/** The activity's attempt (1 for the first), or 1 when called outside an activity (plain tests). */
function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** The activity's cancellation signal, or none when called outside an activity (plain tests). */
function safeCancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}
