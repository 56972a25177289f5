// `npm run worker`: runs until SIGINT or SIGTERM, then finishes in-flight work and exits.
import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';
import { readEnv, resolveVariables } from '../config/settings';
import { createSyncWorker } from './create-worker';

async function main(): Promise<void> {
  const vars = resolveVariables(readEnv());
  // WARN by default: the SDK's INFO lines (bundler output, state changes) drown what matters.
  Runtime.install({ logger: new DefaultLogger((vars.LOG_LEVEL ?? 'WARN') as LogLevel) });
  const { worker, close } = await createSyncWorker(vars);
  console.log(
    `worker: task queue ${vars.TEMPORAL_TASK_QUEUE} on ${vars.TEMPORAL_ADDRESS}, writing to ${vars.CLICKHOUSE_URL} database ${vars.CLICKHOUSE_DATABASE}`,
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
