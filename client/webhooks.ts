// `npm run webhooks`: the webhook receiver, deployed next to the workers. Clockodo's events become
// signals to the destination's changes workflow (workflows/changes.ts), which starts incremental
// syncs of just the resources they name. Settings: WEBHOOK_LISTEN, WEBHOOK_TOKEN, WEBHOOK_DEBOUNCE,
// WEBHOOK_IDLE, WEBHOOK_LOCK_WAIT (client/webhook-settings.ts), and the same Temporal and destination
// settings as start-sync. The token stays in this process: it is not logged and not sent to Temporal.
import { Client } from '@temporalio/client';
import { readEnv, resolveVariables } from '../config/settings';
import { temporalSettings } from '../config/temporal-settings';
import { workerLogLevel } from '../config/worker-settings';
import { webhookSettings, WebhookSettings } from './webhook-settings';
import type { ChangesInput } from '../domain/changes';
import { jsonLogger } from '../worker/json-logger';
import { runCommand } from './exit-codes';
import { parseSyncArgs, syncInputFromSettings } from './sync-request';
import { connectTemporal, requireNamespaceReady } from './temporal-connection';
import { WebhookMetrics } from './webhook-metrics';
import { createReceiver } from './webhook-receiver';
import { ChangesSignaller } from './webhook-signaller';

/** The changes workflow's input: the sync start-sync would send, and how events batch into syncs. */
export function changesInputFromSettings(
  vars: Record<string, string>,
  hooks: WebhookSettings = webhookSettings(vars),
): ChangesInput {
  const { config, rules, destination, options } = syncInputFromSettings(vars, parseSyncArgs([]));
  return {
    sync: {
      config,
      ...(rules ? { rules } : {}),
      destination,
      options: { ...options, lockWaitMs: hooks.lockWaitMs },
    },
    debounceMs: hooks.debounceMs,
    idleMs: hooks.idleMs,
  };
}

async function main(): Promise<number> {
  // Every setting is checked before anything connects or listens.
  const vars = resolveVariables(readEnv());
  const hooks = webhookSettings(vars);
  const temporal = temporalSettings(vars);
  const input = changesInputFromSettings(vars, hooks);
  const log = jsonLogger(workerLogLevel(vars), vars);
  const connection = await connectTemporal(temporal);
  try {
    await requireNamespaceReady(connection, temporal.namespace);
  } catch (e) {
    await connection.close();
    throw e;
  }
  const client = new Client({ connection, namespace: temporal.namespace });
  const metrics = new WebhookMetrics();
  const signaller = new ChangesSignaller(client, temporal.taskQueue, input, metrics, log);
  const server = createReceiver({
    token: hooks.token,
    resources: input.sync.config.resources.map((r) => r.name),
    metrics,
    log,
    onEvents: (events) => signaller.add(events),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(hooks.listen.port, hooks.listen.host, () => resolve());
  });
  log.info('webhook receiver listening', {
    listen: `${hooks.listen.host}:${hooks.listen.port}`,
    paths: '/, /clockodo, /clockodo/<resource>',
    changesWorkflow: signaller.workflowId,
    debounceMs: hooks.debounceMs,
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('webhook receiver stopping: sending what waits');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await signaller.close();
  await connection.close();
  return 0;
}

if (require.main === module) runCommand('webhooks', main);
