// One page (or one unpaged partition) of one resource: fetch it, write its rows to ClickHouse, and
// return only facts. Safe to run twice: the rows carry the run's version, so a retry merges away.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ClickHouseClient } from '@clickhouse/client';
import { recordToRow, Row } from '../clickhouse/row-mapping';
import { insertQuarantined, insertRows, QuarantinedRecord } from '../clickhouse/writer';
import type { PageRequest, PageResult } from '../shared/types';
import { getJson, Secrets } from './http-client';
import { decidePageStop, readPath } from './paging';

export function pageUrl(req: PageRequest): URL {
  const { client, resource, page, partition, window } = req;
  const { endpoint } = resource;
  const url = new URL(client.base_url.replace(/\/+$/, '') + endpoint.path);
  for (const [k, v] of Object.entries(endpoint.params)) url.searchParams.set(k, v);
  if (endpoint.paginator) {
    url.searchParams.set(endpoint.paginator.cursor_param, String(page));
    if (endpoint.paginator.limit !== undefined) {
      url.searchParams.set(endpoint.paginator.limit_param, String(endpoint.paginator.limit));
    }
  }
  if (partition !== undefined && endpoint.partition_router) {
    url.searchParams.set(endpoint.partition_router.request_option.field_name, partition);
  }
  if (window && endpoint.incremental_sync) {
    url.searchParams.set(endpoint.incremental_sync.start_param, window.since);
    url.searchParams.set(endpoint.incremental_sync.end_param, window.until);
  }
  return url;
}

export function partitionLabel(req: PageRequest): string {
  if (req.partition !== undefined) return req.partition;
  if (req.window) return `${req.window.since}..${req.window.until}`;
  return '';
}

export interface FetchPageDeps {
  ch: ClickHouseClient;
  database: string;
  secrets: Secrets;
}

export async function fetchPage(deps: FetchPageDeps, req: PageRequest): Promise<PageResult> {
  const url = pageUrl(req);
  const describe = `GET ${req.resource.endpoint.path}?${url.searchParams.toString()}`;
  const signal = safeCancellationSignal();
  const doc = await getJson(url.toString(), describe, {
    client: req.client,
    retry: req.retry,
    secrets: deps.secrets,
    signal,
  });
  const selector = req.resource.endpoint.data_selector;
  const records = readPath(doc, selector);
  if (!Array.isArray(records)) {
    const keys = doc && typeof doc === 'object' ? Object.keys(doc).join(', ') : typeof doc;
    throw ApplicationFailure.nonRetryable(
      `${describe}: the response has no list at data_selector "${selector}" (it has: ${keys})`,
      'UnexpectedResponseShape',
    );
  }

  const syncedAt = Date.now();
  const meta = { version: req.runVersion, syncedAt, runId: req.runId, partition: partitionLabel(req) };
  const rows: Row[] = [];
  const quarantined: QuarantinedRecord[] = [];
  let shapeWarnings = 0;
  const cursorField = req.resource.endpoint.incremental_sync?.cursor_field;
  let cursorMin: string | undefined;
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
    if (typeof cursor === 'string') {
      if (cursorMin === undefined || cursor < cursorMin) cursorMin = cursor;
      if (cursorMax === undefined || cursor > cursorMax) cursorMax = cursor;
    }
  }
  await insertRows(deps.ch, deps.database, req.resource.name, rows);
  await insertQuarantined(deps.ch, deps.database, quarantined, meta);

  const stop = decidePageStop(req.resource.endpoint.paginator, doc, req.page, records.length);
  const ids = rows.map((r) => r[req.resource.primary_key]);
  return {
    page: req.page,
    records: records.length,
    rows: rows.length,
    quarantined: quarantined.length,
    shapeWarnings,
    countPages: stop.countPages,
    countItems: stop.countItems,
    last: stop.last,
    lastReason: stop.reason,
    fingerprint: `${records.length}:${String(ids[0])}:${String(ids[ids.length - 1])}`,
    cursorMin,
    cursorMax,
  };
}

/** The activity's cancellation signal, or none when called outside an activity (plain tests). */
function safeCancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}
