// A worker process deployed with the incompatible change (test/incompatible-change.ts), serving
// Prometheus metrics at WORKER_METRICS_ADDRESS: what a worker is after a deploy that skipped the
// procedure. Settings come from the environment; it prints "ready" once it runs, and stops on SIGTERM.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { readEnv, resolveVariables } from '../config/settings';
import { createSyncWorker } from '../worker/create-worker';
import { bundleIncompatibleChange } from './incompatible-change';

async function main(): Promise<void> {
  const vars = resolveVariables(readEnv());
  Runtime.install({
    // The nondeterminism errors are the point; logged each time they would only be noise.
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: {
      logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: vars.WORKER_METRICS_ADDRESS } },
    },
  });
  const { worker, close } = await createSyncWorker(vars, {
    workflowBundle: await bundleIncompatibleChange(),
  });
  // The runtime shuts the worker down on SIGTERM; run() returns once it has drained.
  const running = worker.run();
  console.log('ready');
  await running;
  await close();
}

main().catch((err: unknown) => {
  console.error((err as Error).stack ?? String(err));
  process.exit(1);
});
