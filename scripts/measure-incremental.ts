// `npm run measure:incremental [-- --entries N]`: what an incremental run costs next to a full sync.
// In one process: the local API server with N entries (default 200,000) over three years, a worker,
// and the running Temporal dev server and ClickHouse (npm run services:start). It times the first
// sync (the whole history), then changes 0.1% of the entries, as people do, in their recent weeks,
// and times an incremental run and a reconciliation run. Each run's rows written are checked.
import { randomBytes } from 'crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { generateDataset } from '../api-server/data-generator';
import { startApiServer } from '../api-server/server';
import { runSync } from '../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../client/sync-request';
import { connectClickHouse } from '../clickhouse/connection';
import { clickHouseSettings, readEnv, resolveVariables } from '../config/settings';
import { temporalSettings } from '../config/temporal-settings';
import type { SyncSummary } from '../shared/types';
import { createSyncWorker } from '../worker/create-worker';

const DAY = 86_400_000;
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const entries = Number(argValue('--entries') ?? 200_000);
  const year = new Date().getUTCFullYear();
  const now = new Date(Date.now() - 60_000);
  const dataset = generateDataset(
    42,
    {
      customers: 300,
      projects: 1200,
      absencesPerYear: 250,
      entries,
      users: 60,
      years: [year - 2, year - 1, year],
    },
    now,
  );
  const credentials = { email: 'measure@example.com', apiKey: 'measure-key' };
  const api = await startApiServer({ dataset, credentials });
  const tag = randomBytes(4).toString('hex');
  const vars: Record<string, string> = {
    ...resolveVariables(readEnv()),
    CLOCKODO_BASE_URL: api.url,
    CLOCKODO_EMAIL: credentials.email,
    CLOCKODO_API_KEY: credentials.apiKey,
    CLICKHOUSE_DATABASE: `clockodo_measure_${tag}`,
    TEMPORAL_TASK_QUEUE: `measure-${tag}`,
    TEMPORAL_NAMESPACE: 'clockodo-e2e',
  };
  const temporal = temporalSettings(vars);
  const connection = await Connection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace });
  const native = await NativeConnection.connect(temporal.connection);
  const worker = await createSyncWorker(vars, { connection: native });
  const running = worker.worker.run();
  const ch = connectClickHouse(clickHouseSettings(vars));

  const sync = async (
    argv: string[],
  ): Promise<{ seconds: number; summary: SyncSummary; requests: number }> => {
    const from = api.requestLog.length;
    const started = Date.now();
    const result = await runSync(client, syncInputFromSettings(vars, parseSyncArgs(argv)), {
      taskQueue: vars.TEMPORAL_TASK_QUEUE,
    });
    if (!result.ok) throw new Error(result.message);
    return {
      seconds: (Date.now() - started) / 1000,
      summary: result.summary,
      requests: api.requestLog.length - from,
    };
  };
  const written = (s: SyncSummary, name: string) => s.resources.find((r) => r.resource === name)?.rows ?? 0;

  try {
    console.log(
      `${entries} entries, ${dataset.projects.length} projects, ${dataset.customers.length} customers`,
    );
    const full = await sync([]);
    // 0.1% of the entries change, in the last three weeks (where people edit their time).
    const changes = Math.max(1, Math.round(entries / 1000));
    const recent = dataset.entries.filter((e) => Date.parse(e.time_since) > Date.now() - 21 * DAY);
    const stamp = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    for (let i = 0; i < changes; i++) {
      const e = recent[Math.floor((i * recent.length) / changes)];
      dataset.entries[dataset.entries.indexOf(e)] = { ...e, text: `changed ${i}`, time_last_change: stamp };
    }
    const incremental = await sync([]);
    const reconcile = await sync(['--reconcile']);
    const line = (name: string, r: { seconds: number; summary: SyncSummary; requests: number }) =>
      `${name.padEnd(28)} ${r.seconds.toFixed(1).padStart(7)} s ${String(r.requests).padStart(8)} ${String(written(r.summary, 'entries')).padStart(14)} ${((100 * r.seconds) / full.seconds).toFixed(1).padStart(7)}%`;
    console.log(
      `${'run'.padEnd(28)} ${'time'.padStart(9)} ${'requests'.padStart(8)} ${'entries written'.padStart(14)} ${'of full'.padStart(8)}`,
    );
    console.log(line('full (first) sync', full));
    console.log(line(`incremental, ${changes} changed`, incremental));
    console.log(line('reconciliation', reconcile));
    if (written(incremental.summary, 'entries') !== changes) {
      throw new Error(
        `the incremental run wrote ${written(incremental.summary, 'entries')} entries, expected ${changes}`,
      );
    }
  } finally {
    worker.worker.shutdown();
    await running;
    await worker.close();
    await native.close();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${vars.CLICKHOUSE_DATABASE}` });
    await ch.close();
    await connection.close();
    await api.close();
  }
}

main().catch((err: unknown) => {
  console.error(`measure-incremental: ${(err as Error).message}`);
  process.exit(1);
});
