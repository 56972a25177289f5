// The activities a worker registers, bound to their dependencies (ClickHouse, secrets).
// Workflows import only the type of this object (`import type`), never the code.
import type { ClickHouseClient } from '@clickhouse/client';
import { sortingClickHouseErrors } from '../clickhouse/errors';
import { insertRunRows, RunRow } from '../clickhouse/run-history';
import { countSeenIds, readCursor, seenRecords, writeCursor } from '../clickhouse/sync-state';
import { prepareResourceTable } from '../clickhouse/table-rebuild';
import { insertWebhookEvents, WebhookEventRow } from '../clickhouse/webhook-events';
import type { ResourceConfig } from '../domain/source-config';
import type {
  CursorState,
  Destination,
  KeyCollisionsRequest,
  LegacySyncId,
  MarkDeletionsRequest,
  PageRequest,
  PageRunRequest,
} from '../domain/types';
import { syncIdOf } from '../domain/workflow-ids';
import { countItems, CountItemsRequest } from './count-items';
import { destinationDatabase } from './destination';
import { fetchPage } from './fetch-page';
import { readPageRun } from './page-run';
import { quarantineKeyCollisions } from './key-collisions';
import { withHeartbeats } from './heartbeat';
import type { ApiAccess } from './http-client';
import { markDeletions } from './mark-deletions';
import { prepareDestination } from './prepare-destination';

/** The API side (secrets, where they may go, TLS) is checked before every request, in getJson. */
export interface ActivityDeps extends ApiAccess {
  ch: ClickHouseClient;
  /** The ClickHouse server `ch` connects to, with this worker's credentials. */
  clickhouseUrl: string;
  /** CLICKHOUSE_CLUSTER: tables are created ON CLUSTER, replicated; undefined for one server. */
  cluster?: string;
  /** WORKER_INSERT_RECORDS: records a page run buffers before it inserts. */
  insertRecords?: number;
}

export function createActivities(deps: ActivityDeps) {
  const at = (destination: Destination) => ({ ...deps, database: destinationDatabase(deps, destination) });
  return atActivityBoundary({
    prepareDestination: (req: { destination: Destination; resources: ResourceConfig[] }) =>
      prepareDestination(at(req.destination), req.resources),
    /** Kept for reads that started before page runs (their history asks one page at a time). */
    fetchPage: (req: PageRequest) => fetchPage(at(req.destination), req),
    readPageRun: (req: PageRunRequest) => readPageRun(at(req.destination), req),
    countItems: (req: CountItemsRequest) => countItems(deps, req),
    /** Kept for reads that started before seenRecords existed (their history calls this). */
    countSeenIds: (req: { destination: Destination; readId: string }) =>
      countSeenIds(deps.ch, at(req.destination).database, req.readId),
    seenRecords: (req: { destination: Destination; readId: string }) =>
      seenRecords(deps.ch, at(req.destination).database, req.readId),
    quarantineKeyCollisions: (req: KeyCollisionsRequest) => quarantineKeyCollisions(at(req.destination), req),
    prepareResourceTable: (req: { destination: Destination; resource: ResourceConfig }) =>
      prepareResourceTable(at(req.destination), req.resource),
    markDeletions: (req: MarkDeletionsRequest) => markDeletions(at(req.destination), req),
    readCursor: (req: { destination: Destination; resource: string }) =>
      readCursor(deps.ch, at(req.destination).database, req.resource),
    // An unversioned worker may take this from a workflow of an older build, whose state says runId.
    recordCursor: (req: { destination: Destination; state: CursorState & LegacySyncId }) =>
      writeCursor(
        deps.ch,
        at(req.destination).database,
        { ...req.state, syncId: syncIdOf(req.state) },
        Date.now(),
      ),
    recordRun: (req: { destination: Destination; rows: RunRow[] }) =>
      insertRunRows(deps.ch, at(req.destination).database, req.rows, deps.cluster),
    recordWebhookEvents: (req: { destination: Destination; rows: WebhookEventRow[] }) =>
      insertWebhookEvents(deps.ch, at(req.destination).database, req.rows, deps.cluster),
  });
}

/**
 * Every activity heartbeats while it runs (see heartbeat.ts), and its ClickHouse errors are sorted
 * into retried and fail-at-once (see clickhouse/errors.ts).
 */
function atActivityBoundary<T extends Record<string, (req: never) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      (req: never) => withHeartbeats(() => sortingClickHouseErrors(() => fn(req))),
    ]),
  ) as T;
}

export type Activities = ReturnType<typeof createActivities>;
