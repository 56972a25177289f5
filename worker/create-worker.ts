// A worker for the sync task queue: the workflows bundle plus activities bound to ClickHouse and to
// the secrets in this process's environment.
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ClickHouseClient } from '@clickhouse/client';
import { createActivities } from '../activities';
import { clickHouseSettings, temporalSettings } from '../config/settings';
import { connectClickHouse } from '../clickhouse/connection';

export interface SyncWorker {
  worker: Worker;
  ch: ClickHouseClient;
  /** Closes what createSyncWorker opened (after worker.run() has returned). */
  close: () => Promise<void>;
}

export async function createSyncWorker(
  vars: Record<string, string>,
  options: { connection?: NativeConnection; maxConcurrentActivityTaskExecutions?: number } = {},
): Promise<SyncWorker> {
  const temporal = temporalSettings(vars);
  const chSettings = clickHouseSettings(vars);
  const ch = connectClickHouse(chSettings);
  const connection = options.connection ?? (await NativeConnection.connect({ address: temporal.address }));
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ ch, clickhouseUrl: chSettings.url, secrets: vars }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 16,
    // Let in-flight pages finish on shutdown rather than cancelling them.
    shutdownGraceTime: '30 seconds',
  });
  return {
    worker,
    ch,
    close: async () => {
      await ch.close();
      if (!options.connection) await connection.close();
    },
  };
}
