// `npm run worker`: runs until SIGINT or SIGTERM, then finishes in-flight work and exits.
import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';
import { readEnv, resolveVariables } from '../config/settings';
import { destinationKey } from '../shared/workflow-ids';
import { createSyncWorker } from './create-worker';

async function main(): Promise<void> {
  const vars = resolveVariables(readEnv());
  // WARN by default: the SDK's INFO lines (bundler output, state changes) drown what matters.
  // Prometheus scrapes Temporal's worker metrics and ours (activities/metrics.ts) at /metrics.
  const metrics = vars.WORKER_METRICS_ADDRESS ?? '127.0.0.1:9464';
  Runtime.install({
    logger: new DefaultLogger((vars.LOG_LEVEL ?? 'WARN') as LogLevel),
    ...(metrics === 'off' ? {} : { telemetryOptions: { metrics: { prometheus: { bindAddress: metrics } } } }),
  });
  const { worker, close } = await createSyncWorker(vars);
  console.log(
    `worker: task queue ${vars.TEMPORAL_TASK_QUEUE} on ${vars.TEMPORAL_ADDRESS}, credentials for ClickHouse at ${destinationKey({ url: vars.CLICKHOUSE_URL, database: '' })}` +
      (metrics === 'off' ? '' : `, metrics at http://${metrics}/metrics`),
  );
  // Worker.run() returns once a shutdown signal (SIGINT, SIGTERM) has drained the worker.
  await worker.run();
  await close();
  console.log('worker: stopped');
}

main().catch((err: unknown) => {
  console.error(`worker: ${(err as Error).message}`);
  process.exit(1);
});
