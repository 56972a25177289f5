// `npm run start-sync [-- --resources a,b] [-- --reconcile | --full-refresh] [-- --allow-mass-delete] [-- --no-wait] [-- --check]`
// `npm run start-sync -- status`, `npm run start-sync -- release-stuck [ID] [--yes]` (client/release-stuck.ts).
// Validates the configuration, starts a sync, prints live progress and a summary.
// Exit codes (client/exit-codes.ts): 0 success, 1 the sync failed, 2 bad configuration or arguments,
// 3 Temporal unreachable, 4 the sync finished degraded, 5 cancelled, 130 stopped following.
import { Client } from '@temporalio/client';
import { readEnv, resolveVariables } from '../config/settings';
import { shownUrl } from '../config/shown-url';
import { temporalSettings, TemporalSettings, temporalUiPort } from '../config/temporal-settings';
import type { ResourceProgress, SyncInput } from '../domain/types';
import { destinationKey } from '../domain/workflow-ids';
import { EXIT, printedHelp, runCommand } from './exit-codes';
import { releaseStuckCommand } from './release-stuck';
import { TerminalBars } from './progress-bars';
import { checkStatusSettings, printStatus } from './status';
import { connectTemporal, requireNamespaceReady, withTemporalClient } from './temporal-connection';
import { formatSummary, newSyncWorkflowId, runSync, startSync } from './run-sync';
import { parseSyncArgs, START_SYNC_HELP, syncInputFromSettings } from './sync-request';

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

/** `--check`: what would start, from the checked settings; nothing is connected to. */
function printPlan(input: SyncInput, temporal: TemporalSettings, vars: Record<string, string>): void {
  console.log('check: ok (nothing started); the sync would be:');
  console.log(`  kind: ${input.mode}`);
  console.log(`  resources: ${input.resources.join(', ')}`);
  console.log(
    `  into: ClickHouse ${shownUrl(vars.CLICKHOUSE_URL)} database ${input.destination.database} (${destinationKey(input.destination)})`,
  );
  console.log(
    `  through: Temporal at ${temporal.address} (${temporal.security}), namespace ${temporal.namespace}, task queue ${temporal.taskQueue}`,
  );
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'release-stuck') {
    const vars = resolveVariables(readEnv());
    return releaseStuckCommand(argv.slice(1), vars, temporalSettings(vars));
  }
  const args = parseSyncArgs(argv);
  if (printedHelp(args, START_SYNC_HELP)) return EXIT.OK;
  // Every setting, the configuration and the arguments are checked before anything connects.
  const vars = resolveVariables(readEnv());
  const temporal = temporalSettings(vars);
  const uiPort = temporalUiPort(vars);
  if (args.status) {
    checkStatusSettings(vars);
    await withTemporalClient(temporal, (client) => printStatus(client, vars, temporal.taskQueue));
    return EXIT.OK;
  }
  const input = syncInputFromSettings(vars, args);
  if (args.check) {
    printPlan(input, temporal, vars);
    return EXIT.OK;
  }
  const connection = await connectTemporal(temporal);
  const client = new Client({ connection, namespace: temporal.namespace });
  try {
    await requireNamespaceReady(connection, temporal.namespace);
  } catch (e) {
    await connection.close();
    throw e;
  }
  await warnIfNoWorker(client, temporal.namespace, temporal.taskQueue);
  const workflowId = newSyncWorkflowId();
  const ui = `http://127.0.0.1:${uiPort}/namespaces/${temporal.namespace}/workflows/${workflowId}`;
  console.log(
    `started ${input.mode} sync of ${input.resources.join(', ')} into ${shownUrl(vars.CLICKHOUSE_URL)} database ${input.destination.database}: ${workflowId}`,
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
    return EXIT.OK;
  }
  // Leaving does not stop the sync: it is durable in Temporal and its workers carry on.
  process.once('SIGINT', () => {
    console.log(`\nstopped following; the sync goes on: ${ui}`);
    process.exit(EXIT.STOPPED_FOLLOWING);
  });
  const result = await runSync(client, input, options);
  await connection.close();
  if (result.summary) console.log(formatSummary(result.summary));
  if (!result.ok && result.cancelled) {
    console.error(`sync CANCELLED: ${ui}`);
    return EXIT.CANCELLED;
  }
  if (!result.ok) {
    console.error(`sync failed: ${result.message}`);
    return EXIT.FAILED;
  }
  if (result.summary.outcome === 'degraded') {
    console.error(
      'sync DEGRADED: the tables are not exact where the lines above say; the next run tries again',
    );
    return EXIT.DEGRADED;
  }
  return EXIT.OK;
}

runCommand('start-sync', main);
