// `npm run worker`: runs until SIGINT or SIGTERM, then finishes in-flight work and exits.
// Logs one JSON line per event (LOG_LEVEL, default INFO); serves Prometheus metrics (Temporal's own
// and ours, activities/metrics.ts) at WORKER_METRICS_ADDRESS (default 127.0.0.1:9464, `off` for none).
import { createServer } from 'net';
import { LogLevel, Runtime } from '@temporalio/worker';
import { readEnv, resolveVariables } from '../config/settings';
import { destinationKey } from '../shared/workflow-ids';
import { temporalSettings } from '../config/temporal-settings';
import { createSyncWorker } from './create-worker';
import { jsonLogger } from './json-logger';

/** Whether host:port can be bound (a second worker on one machine finds the default port taken). */
function canBind(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(Number(address.slice(i + 1)), address.slice(0, i), () => server.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  const vars = resolveVariables(readEnv());
  const logger = jsonLogger((vars.LOG_LEVEL ?? 'INFO') as LogLevel, vars);
  let metrics = vars.WORKER_METRICS_ADDRESS ?? '127.0.0.1:9464';
  if (metrics !== 'off' && !(await canBind(metrics))) {
    logger.warn('metrics address in use: this worker serves no metrics (set WORKER_METRICS_ADDRESS)', {
      address: metrics,
    });
    metrics = 'off';
  }
  Runtime.install({
    logger,
    telemetryOptions: {
      // The SDK core's own messages (e.g. Temporal unreachable, retrying) go through the JSON logger
      // too, instead of to stderr in a format of their own.
      logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
      ...(metrics === 'off' ? {} : { metrics: { prometheus: { bindAddress: metrics } } }),
    },
  });
  try {
    const temporal = temporalSettings(vars);
    const { worker, close } = await createSyncWorker(vars);
    logger.info('worker started', {
      taskQueue: vars.TEMPORAL_TASK_QUEUE,
      temporal: `${temporal.address} (${temporal.security})`,
      namespace: temporal.namespace,
      clickhouse: destinationKey({ url: vars.CLICKHOUSE_URL, database: '' }).replace(/\/$/, ''),
      ...(metrics === 'off' ? {} : { metrics: `http://${metrics}/metrics` }),
    });
    // Worker.run() returns once a shutdown signal (SIGINT, SIGTERM) has drained the worker.
    await worker.run();
    await close();
    logger.info('worker stopped');
  } catch (err) {
    logger.error('worker failed', { error: (err as Error).message });
    process.exit(1);
  }
}

void main();
