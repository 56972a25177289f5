// `npm run worker`: runs until SIGINT or SIGTERM, then finishes in-flight work and exits.
// Logs one JSON line per event (LOG_LEVEL, default INFO); serves Prometheus metrics (Temporal's own
// and ours, activities/telemetry.ts) at WORKER_METRICS_ADDRESS (default 127.0.0.1:9464, `off` for none).
// Exit codes (client/exit-codes.ts): 0 stopped, 1 failed, 2 bad setting (named), 3 Temporal unreachable.
import { createServer } from 'net';
import { Runtime } from '@temporalio/worker';
import { getHeapStatistics } from 'v8';
import { clickHouseSettings, readEnv, resolveVariables } from '../config/settings';
import { parseHostPort } from '../config/host-port';
import { shownUrl } from '../config/shown-url';
import { temporalSettings } from '../config/temporal-settings';
import { workerLogLevel, workerMemoryLogSeconds, workerMetricsAddress } from '../config/worker-settings';
import { limitsLogged, thisMachine, workerResources } from '../config/worker-resources';
import { exitCodeOf, runCommand } from '../client/exit-codes';
import { createSyncWorker } from './create-worker';
import { jsonLogger } from './json-logger';
import { startMemoryLog } from './memory-log';

/** Whether host:port can be bound (a second worker on one machine finds the default port taken). */
function canBind(address: string): Promise<boolean> {
  const { host, port } = parseHostPort(address) ?? { host: '', port: 0 };
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function main(): Promise<number> {
  // Settings first, plainly on stderr (exit 2), before the runtime and its JSON log start.
  const vars = resolveVariables(readEnv());
  const level = workerLogLevel(vars);
  let metrics = workerMetricsAddress(vars);
  const temporal = temporalSettings(vars);
  clickHouseSettings(vars);
  const machine = thisMachine();
  const limits = workerResources(vars, machine);
  const memoryLogSeconds = workerMemoryLogSeconds(vars);
  const logger = jsonLogger(level, vars);
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
    const sync = await createSyncWorker(vars);
    const { versioning, buildId } = sync;
    logger.info('worker started', {
      buildId,
      versioning:
        versioning.mode === 'off' ? 'off (unversioned)' : `pinned, deployment ${versioning.deploymentName}`,
      taskQueue: vars.TEMPORAL_TASK_QUEUE,
      temporal: `${temporal.address} (${temporal.security})`,
      namespace: temporal.namespace,
      clickhouse: shownUrl(vars.CLICKHOUSE_URL),
      ...(metrics === 'off' ? {} : { metrics: `http://${metrics}/metrics` }),
    });
    logger.info(
      'worker limits',
      limitsLogged(machine, limits, {
        heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
        mallocArenaMax: process.env.MALLOC_ARENA_MAX,
      }),
    );
    const stopMemoryLog = startMemoryLog(logger, memoryLogSeconds);
    // Worker.run() returns once a shutdown signal (SIGINT, SIGTERM) has drained the worker.
    await sync.run((outcome) =>
      logger.info(`deployment version ${outcome}`, { deployment: versioning.deploymentName, buildId }),
    );
    stopMemoryLog();
    await sync.close();
    logger.info('worker stopped');
    return 0;
  } catch (err) {
    logger.error('worker failed', { error: (err as Error).message });
    return exitCodeOf(err);
  }
}

runCommand('worker', main);
