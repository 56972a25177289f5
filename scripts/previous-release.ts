// Runs inside a checkout of an earlier release (scripts/previous-release.sh copies it there),
// importing that release's own code: a full sync then an incremental sync of the fixed demo dataset
// (test/fixtures/previous-release/dataset.json), then a dump of what the release left in ClickHouse:
// every table's and view's SHOW CREATE and every table's rows, for test/e2e/table-upgrade.test.ts.
// Written against the release the fixture comes from; kept here so the fixture can be made again.
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { generateDataset } from '../api-server/data-generator';
import { startApiServer } from '../api-server/server';
import { connectClickHouse } from '../clickhouse/connection';
import { qualified } from '../clickhouse/sql';
import { runSync } from '../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../client/sync-request';
import { clickHouseSettings, readEnv, resolveVariables } from '../config/settings';
import { temporalSettings } from '../config/temporal-settings';
import { createSyncWorker } from '../worker/create-worker';

/** The database the fixture's DDL names; the test puts its own name in its place. */
const FIXTURE_DATABASE = 'previous_release';

async function main(): Promise<void> {
  const [datasetFile, outDir, resources] = process.argv.slice(2);
  if (!datasetFile || !outDir)
    throw new Error('usage: previous-release.ts <dataset.json> <output folder> [resource,...]');
  const spec = JSON.parse(readFileSync(datasetFile, 'utf8')) as {
    seed: number;
    generatedAt: string;
    maxItemsPerPage: number;
    size: Parameters<typeof generateDataset>[1];
    credentials: { email: string; apiKey: string };
  };
  const dataset = generateDataset(spec.seed, spec.size, new Date(spec.generatedAt));
  const api = await startApiServer({
    dataset,
    credentials: spec.credentials,
    maxItemsPerPage: spec.maxItemsPerPage,
  });
  const tag = String(process.pid);
  const vars = {
    ...resolveVariables({
      ...readEnv(),
      SYNC_YEARS: spec.size.years.join(','),
      SYNC_START_DATE: `${Math.min(...spec.size.years)}-01-01`,
    }),
    CLOCKODO_BASE_URL: api.url,
    CLOCKODO_EMAIL: spec.credentials.email,
    CLOCKODO_API_KEY: spec.credentials.apiKey,
    CLICKHOUSE_DATABASE: FIXTURE_DATABASE,
    TEMPORAL_TASK_QUEUE: `previous-release-${tag}`,
    TEMPORAL_NAMESPACE: 'clockodo-e2e',
  };
  const ch = connectClickHouse(clickHouseSettings(vars));
  await ch.command({ query: `DROP DATABASE IF EXISTS ${FIXTURE_DATABASE}` });
  const temporal = temporalSettings(vars);
  const connection = await Connection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace });
  const native = await NativeConnection.connect(temporal.connection);
  const worker = await createSyncWorker(vars, { connection: native });
  const running = worker.worker.run();
  try {
    // Only the resources a release could read, when it could not read them all.
    const only = resources ? ['--resources', resources] : [];
    for (const argv of [['--full-refresh'], []]) {
      const result = await runSync(client, syncInputFromSettings(vars, parseSyncArgs([...argv, ...only])), {
        taskQueue: vars.TEMPORAL_TASK_QUEUE,
        pollMs: 200,
      });
      if (!result.ok || result.summary.outcome !== 'ok')
        throw new Error(`sync ${argv.join(' ') || 'incremental'}: ${JSON.stringify(result)}`);
      console.log(`sync ${argv.join(' ') || 'incremental'}: ok`);
    }
    await dump(ch, outDir);
  } finally {
    worker.worker.shutdown();
    await running;
    await worker.close();
    await native.close();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${FIXTURE_DATABASE}` });
    await ch.close();
    await connection.close();
    await api.close();
  }
}

/** `<name>.sql` per table and view (tables first, views after), `<name>.rows.jsonl` per table. */
async function dump(ch: ReturnType<typeof connectClickHouse>, outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const rs = await ch.query({
    query: `SELECT name, engine FROM system.tables WHERE database = '${FIXTURE_DATABASE}' ORDER BY name`,
    format: 'JSONEachRow',
  });
  const objects = await rs.json<{ name: string; engine: string }>();
  const order: string[] = [];
  for (const { name, engine } of objects) {
    const [{ statement }] = await (
      await ch.query({
        query: `SHOW CREATE TABLE ${qualified(FIXTURE_DATABASE, name)}`,
        format: 'JSONEachRow',
      })
    ).json<{ statement: string }>();
    writeFileSync(path.join(outDir, `${name}.sql`), `${statement}\n`);
    if (engine === 'View') continue;
    order.push(name);
    const data = await ch.query({
      query: `SELECT * FROM ${qualified(FIXTURE_DATABASE, name)}`,
      format: 'JSONEachRow',
    });
    writeFileSync(path.join(outDir, `${name}.rows.jsonl`), await data.text());
  }
  // The order to create them in: tables before the views that read them.
  const views = objects.filter((o) => o.engine === 'View').map((o) => o.name);
  writeFileSync(
    path.join(outDir, 'objects.json'),
    `${JSON.stringify({ database: FIXTURE_DATABASE, tables: order, views }, null, 2)}\n`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
