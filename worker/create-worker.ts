// A worker for the sync task queue: the workflows bundle plus activities bound to ClickHouse and to
// the allow-listed secrets of this process's environment.
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ClickHouseClient } from '@clickhouse/client';
import { createActivities } from '../activities';
import { clickHouseSettings, SettingsError } from '../config/settings';
import { describeProblems, searchAttributeProblemsIfVisible } from '../config/temporal-search-attributes';
import { temporalSettings } from '../config/temporal-settings';
import { workerCredentials } from '../config/worker-credentials';
import { checkClickHouseAccess, connectClickHouse } from '../clickhouse/connection';
import { ServiceUnreachable } from '../client/exit-codes';
import { workerInsertRecords, workerVersioning, WorkerVersioning } from '../config/worker-settings';
import { workerResources } from '../config/worker-resources';
import { adoptVersion, deploymentOptions } from './deployment-version';
import { buildInfo } from './build-id';

export interface SyncWorker {
  worker: Worker;
  ch: ClickHouseClient;
  /** The build this worker runs: its Worker Deployment Version's build id. */
  buildId: string;
  versioning: WorkerVersioning;
  /**
   * Runs the worker until shutdown; a versioned worker meanwhile makes its version current when
   * WORKER_DEPLOYMENT_PROMOTE says so (`onVersion` hears what it did).
   */
  run: (onVersion?: (outcome: string) => void) => Promise<void>;
  /** Closes what createSyncWorker opened (after worker.run() has returned). */
  close: () => Promise<void>;
}

export async function createSyncWorker(
  vars: Record<string, string>,
  options: {
    connection?: NativeConnection;
    maxConcurrentActivityTaskExecutions?: number;
    /** Wraps the ClickHouse client the activities use (tests record the statements they send). */
    wrapClickHouse?: (ch: ClickHouseClient) => ClickHouseClient;
    /** Workflow code other than this build's (tests deploy a changed workflow with it). */
    workflowBundle?: { code: string } | { codePath: string };
    /** The build id to serve under (tests deploy "another build" of the same sources with it). */
    buildId?: string;
  } = {},
): Promise<SyncWorker> {
  const temporal = temporalSettings(vars);
  // First: a compiled worker without a complete build says to run `npm run build` before connecting.
  const build = buildInfo();
  const chSettings = clickHouseSettings(vars);
  // A missing API key, or an allow-list or base URL it cannot read, stops the worker before it connects.
  const api = workerCredentials(vars);
  const versioning = workerVersioning(vars);
  const insertRecords = workerInsertRecords(vars);
  const limits = workerResources(vars);
  const buildId = options.buildId ?? build.buildId;
  const unwrapped = connectClickHouse(chSettings);
  // Credentials or certificates it will never accept stop the worker here, not each sync later.
  await checkClickHouseAccess(unwrapped, chSettings).catch(async (e: unknown) => {
    await unwrapped.close();
    throw e;
  });
  const ch = options.wrapClickHouse ? options.wrapClickHouse(unwrapped) : unwrapped;
  const connection =
    options.connection ??
    (await NativeConnection.connect(temporal.connection).catch(async (e: unknown) => {
      await ch.close();
      throw new ServiceUnreachable(
        `cannot reach Temporal at ${temporal.address} (${temporal.security}): ${(e as Error).message}`,
      );
    }));
  // Without our search attributes every sync's first workflow task would fail, retried forever.
  const problems = await searchAttributeProblemsIfVisible(connection.operatorService, temporal.namespace);
  if (problems && problems.length > 0) {
    if (!options.connection) await connection.close();
    await ch.close();
    throw new SettingsError(describeProblems(temporal.namespace, problems));
  }
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle: options.workflowBundle ?? build.workflowBundle,
    activities: createActivities({
      ch,
      clickhouseUrl: chSettings.url,
      cluster: chSettings.cluster,
      secrets: api.secrets,
      credentialPolicy: api.policy,
      apiAgent: api.apiAgent,
      insertRecords,
    }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? limits.activitySlots,
    maxConcurrentWorkflowTaskExecutions: limits.workflowTaskSlots,
    maxCachedWorkflows: limits.cachedWorkflows,
    // Let in-flight pages finish on shutdown rather than cancelling them.
    shutdownGraceTime: '30 seconds',
    workerDeploymentOptions: deploymentOptions(versioning, buildId),
  });
  return {
    worker,
    ch,
    buildId,
    versioning,
    run: async (onVersion) => {
      if (versioning.mode === 'off') return worker.run();
      const stop = new AbortController();
      const adopting = adoptVersion(connection, temporal.namespace, versioning, buildId, stop.signal).then(
        (outcome) => onVersion?.(outcome),
        (e: unknown) => onVersion?.(`not made current: ${(e as Error).message}`),
      );
      try {
        await worker.run();
      } finally {
        stop.abort();
        await adopting;
      }
    },
    close: async () => {
      await ch.close();
      if (!options.connection) await connection.close();
    },
  };
}
