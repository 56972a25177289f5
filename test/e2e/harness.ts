// Real parts for end-to-end tests: the local API server (in process), a worker (in process) on its
// own task queue, the Temporal server and ClickHouse started by `npm run services:start` (or given
// by `temporal`), and a ClickHouse database of the test's own.
import '../quiet-runtime';
import { randomBytes } from 'crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { ClickHouseClient } from '@clickhouse/client';
import { generateDataset } from '../../api-server/data-generator';
import { startApiServer, RunningApiServer } from '../../api-server/server';
import type { Dataset, DatasetSize } from '../../api-server/types';
import { connectClickHouse } from '../../clickhouse/connection';
import { clickHouseSettings, destinationOf, readEnv, resolveVariables } from '../../config/settings';
import { runSync, RunSyncResult } from '../../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { Destination, SyncInput } from '../../domain/types';
import { resourceWorkflowId } from '../../domain/workflow-ids';
import { temporalSettings } from '../../config/temporal-settings';
import { createSyncWorker, SyncWorker } from '../../worker/create-worker';

export const CREDENTIALS = { email: 'e2e@example.com', apiKey: 'e2e-secret-key-0123456789' };

export interface HarnessOptions {
  size: DatasetSize;
  seed?: number;
  /** The dataset's "now" (default a minute ago): fixed, the same records every time (fixtures). */
  generatedAt?: Date;
  /** Settings for the worker only (e.g. a wrong API key). */
  workerOverrides?: Record<string, string>;
  /** Server cap on items_per_page: small values force several pages even for small datasets. */
  maxItemsPerPage?: number;
  /** Delay the API server adds to every request. */
  latencyMs?: number;
  /** How the API server reads `date_until` of work times (default inclusive). */
  workTimesUntil?: 'inclusive' | 'exclusive';
  /** Serve the API over HTTPS with this certificate and key. */
  apiTls?: { cert: Buffer; key: Buffer };
  /** Leave SYNC_YEARS and SYNC_START_DATE to their relative defaults (size.years must be the last three). */
  relativeYears?: boolean;
  /** An existing Temporal server (e.g. a TestWorkflowEnvironment's); default TEMPORAL_ADDRESS. */
  temporal?: { address: string; namespace: string };
  /** False: no worker in this process (the test runs worker processes of its own). */
  inProcessWorker?: boolean;
  /** Settings for the client and the worker alike (e.g. how to reach Temporal). */
  settings?: Record<string, string>;
  /** Wraps the worker's ClickHouse client (the chdb check records the statements it sends). */
  wrapClickHouse?: (ch: ClickHouseClient) => ClickHouseClient;
  /** Where the API server sends a webhook on each of its edits. */
  apiWebhooks?: { urls: string[]; token: string };
}

export interface Harness {
  vars: Record<string, string>;
  api: RunningApiServer;
  dataset: Dataset;
  client: Client;
  ch: ClickHouseClient;
  database: string;
  taskQueue: string;
  destination: Destination;
  /** The workflow id of a resource's sync into this harness's destination (its lock). */
  resourceId(resource: string): string;
  /** Runs a sync like `start-sync` does; `edit` may change the input (e.g. a smaller slice). */
  sync(argv?: string[], edit?: (input: SyncInput) => void): Promise<RunSyncResult>;
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const tag = randomBytes(4).toString('hex');
  // Generated a minute in the past, so every entry starts before the sync's "now".
  const dataset = generateDataset(
    opts.seed ?? 7,
    opts.size,
    opts.generatedAt ?? new Date(Date.now() - 60_000),
  );
  const api = await startApiServer({
    dataset,
    credentials: CREDENTIALS,
    maxItemsPerPage: opts.maxItemsPerPage,
    latencyMs: opts.latencyMs,
    tls: opts.apiTls,
    workTimesUntil: opts.workTimesUntil,
    webhooks: opts.apiWebhooks,
  });
  // The dataset's years are fixed settings here (no relative rule), as a user who names them has.
  const base = resolveVariables(
    opts.relativeYears
      ? readEnv()
      : {
          ...readEnv(),
          SYNC_YEARS: opts.size.years.join(','),
          SYNC_START_DATE: `${Math.min(...opts.size.years)}-01-01`,
        },
  );
  const vars: Record<string, string> = {
    ...base,
    CLOCKODO_BASE_URL: api.url,
    CLOCKODO_EMAIL: CREDENTIALS.email,
    CLOCKODO_API_KEY: CREDENTIALS.apiKey,
    CLICKHOUSE_DATABASE: `clockodo_e2e_${tag}`,
    TEMPORAL_TASK_QUEUE: `e2e-${tag}`,
    // services-start.sh registers this namespace, so test runs stay out of the user's `default`.
    TEMPORAL_NAMESPACE: 'clockodo-e2e',
    ...(opts.temporal
      ? { TEMPORAL_ADDRESS: opts.temporal.address, TEMPORAL_NAMESPACE: opts.temporal.namespace }
      : {}),
    ...opts.settings,
  };
  const temporal = temporalSettings(vars);
  const connection = await Connection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace });
  const nativeConnection = await NativeConnection.connect(temporal.connection);
  const worker: SyncWorker | undefined =
    opts.inProcessWorker === false
      ? undefined
      : await createSyncWorker(
          { ...vars, ...opts.workerOverrides },
          { connection: nativeConnection, wrapClickHouse: opts.wrapClickHouse },
        );
  const running = worker?.run();
  const database = clickHouseSettings(vars).database;
  const ch = connectClickHouse(clickHouseSettings(vars));
  return {
    vars,
    api,
    dataset,
    client,
    ch,
    database,
    taskQueue: vars.TEMPORAL_TASK_QUEUE,
    destination: destinationOf(vars),
    resourceId: (resource) => resourceWorkflowId(destinationOf(vars), resource),
    sync: (argv = [], edit) => {
      const input = syncInputFromSettings(vars, parseSyncArgs(argv));
      edit?.(input);
      return runSync(client, input, { taskQueue: vars.TEMPORAL_TASK_QUEUE, pollMs: 200 });
    },
    close: async () => {
      worker?.worker.shutdown();
      await running;
      await worker?.close();
      await nativeConnection.close();
      await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await ch.close();
      await connection.close();
      await api.close();
    },
  };
}

/** All rows of a query, as JSON objects. */
export async function rows<T = Record<string, unknown>>(ch: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await ch.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}
