// `npm run start-sync [-- --resources a,b] [-- --reconcile | --full-refresh] [-- --allow-mass-delete] [-- --no-wait]`
// Validates the configuration, starts a sync, prints live progress and a summary.
// Exit codes: 0 success, 1 the sync failed, 2 bad configuration or arguments, 3 Temporal unreachable,
// 4 the sync finished degraded (a part not read consistently, or deletions held back).
import { Client } from '@temporalio/client';
import { ConfigError } from '../config/validate-source-config';
import { readEnv, resolveVariables, SettingsError } from '../config/settings';
import { temporalSettings } from '../config/temporal-settings';
import type { ResourceProgress } from '../shared/types';
import { TerminalBars } from './progress-bars';
import { printStatus } from './status';
import { connectOrSay, namespaceReadyOrSay } from './temporal-connection';
import { formatSummary, newSyncWorkflowId, runSync, startSync } from './run-sync';
import { parseSyncArgs, START_SYNC_HELP, syncInputFromSettings, UsageError } from './sync-request';

/** Waits briefly for a worker (one may be starting beside us), then warns: the run would just wait. */
async function warnIfNoWorker(client: Client, namespace: string, taskQueue: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // workflow tasks
    });
    if (res.pollers?.length) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.warn(
    `warning: no worker polls task queue "${taskQueue}"; the sync waits until one does (npm run worker)`,
  );
}

async function main(): Promise<number> {
  let input, args, temporal;
  const vars = resolveVariables(readEnv());
  try {
    args = parseSyncArgs(process.argv.slice(2));
    if (args.help) {
      console.log(START_SYNC_HELP);
      return 0;
    }
    input = syncInputFromSettings(vars, args);
    temporal = temporalSettings(vars);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError || e instanceof SettingsError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const connection = await connectOrSay(temporal);
  if (!connection) return 3;
  const client = new Client({ connection, namespace: temporal.namespace });
  if (args.status) {
    await printStatus(client, vars);
    await connection.close();
    return 0;
  }
  if (!(await namespaceReadyOrSay(connection, temporal.namespace))) {
    await connection.close();
    return 2;
  }
  await warnIfNoWorker(client, temporal.namespace, temporal.taskQueue);
  const workflowId = newSyncWorkflowId();
  const ui = `http://127.0.0.1:${vars.TEMPORAL_UI_PORT ?? 8233}/namespaces/${temporal.namespace}/workflows/${workflowId}`;
  console.log(
    `started ${input.mode} sync of ${input.resources.join(', ')} into ${input.destination.url} database ${input.destination.database}: ${workflowId}`,
  );
  console.log(`follow it in the Temporal Web UI: ${ui}`);
  // Bars on a terminal; plain lines when the output goes to a log.
  const bars = process.stdout.isTTY ? new TerminalBars(process.stdout, input.resources) : undefined;
  const options = {
    taskQueue: temporal.taskQueue,
    workflowId,
    ...(bars
      ? { onStates: (states: Map<string, ResourceProgress>) => bars.update(states) }
      : { onProgress: (line: string) => console.log(`  ${line}`) }),
  };
  if (!args.wait) {
    await startSync(client, input, options);
    await connection.close();
    return 0;
  }
  // Leaving does not stop the sync: it is durable in Temporal and its workers carry on.
  process.once('SIGINT', () => {
    console.log(`\nstopped following; the sync goes on: ${ui}`);
    process.exit(130);
  });
  const result = await runSync(client, input, options);
  await connection.close();
  if (result.summary) console.log(formatSummary(result.summary));
  if (!result.ok && result.cancelled) {
    console.error(`sync CANCELLED: ${ui}`);
    return 5;
  }
  if (!result.ok) {
    console.error(`sync failed: ${result.message}`);
    return 1;
  }
  if (result.summary.outcome === 'degraded') {
    console.error(
      'sync DEGRADED: the tables are not exact where the lines above say; the next run tries again',
    );
    return 4;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`start-sync: ${(err as Error).message}`);
    process.exit(1);
  },
);
