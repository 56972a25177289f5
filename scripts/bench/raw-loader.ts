// The benchmark's raw limit: the same source configuration read and loaded with no orchestration at
// all. Same HTTP client (keep-alive, the same page size), same row mapping, same kind of tables, as
// many requests at once as the pipeline's worker runs activities; one insert per page, nothing else
// (no merge decisions, no seen ids, no consistency checks, no deletions, no retries beyond none).
//
//   ts-node scripts/bench/raw-loader.ts --database NAME [--resources a,b] [--concurrency 16]
// `--resources` keeps it to the resources the pipeline loads (all of the configuration by default).
// Settings come from the environment like the worker's (CLOCKODO_*, CLICKHOUSE_*, SOURCE_CONFIG).
// Prints one JSON line: {"seconds": ..., "rows": {resource: n}, "pages": n}.
import { pageUrl, partitionLabel } from '../../activities/fetch-page';
import { getJson } from '../../activities/http-client';
import { decidePageStop } from '../../domain/paging';
import { readRecords } from '../../domain/response-paths';
import { connectClickHouse } from '../../clickhouse/connection';
import { recordToRow, Row } from '../../clickhouse/row-mapping';
import { ensureDatabase, ensureResourceTable } from '../../clickhouse/schema';
import { insertRows } from '../../clickhouse/writer';
import { loadSourceConfig } from '../../config/load-source-config';
import { clickHouseSettings, readEnv, resolveVariables } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import { workerCredentials } from '../../config/worker-credentials';
import type { ReadTarget } from '../../domain/types';
import { limiter } from './limiter';
import { loadAllParts, selectResources } from './read-targets';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const database = arg('--database');
  if (!database) throw new Error('--database is required');
  const concurrency = Number(arg('--concurrency') ?? 16);
  const vars: Record<string, string> = { ...resolveVariables(readEnv()), CLICKHOUSE_DATABASE: database };
  const config = loadSourceConfig(vars);
  const resources = selectResources(config.resources, arg('--resources'));
  const api = workerCredentials(vars);
  const ch = connectClickHouse(clickHouseSettings(vars));
  const run = limiter(concurrency);
  const rows: Record<string, number> = {};
  let pages = 0;
  try {
    await ensureDatabase(ch, database);
    await Promise.all(resources.map((r) => ensureResourceTable(ch, database, r)));
    const started = performance.now();
    const cpuAtStart = process.cpuUsage(); // not the TypeScript compilation before it

    const loadPage = async (resource: ResourceConfig, target: ReadTarget, page: number) => {
      const req = { client: config.client, resource, page, target };
      const url = pageUrl(req);
      const doc = await getJson(url.toString(), `GET ${url.pathname}`, {
        client: config.client,
        retry: config.retry,
        secrets: api.secrets,
        policy: api.policy,
        agent: api.apiAgent,
      });
      const records = readRecords(doc, resource.endpoint.data_selector) ?? [];
      const meta = { syncedAt: Date.now(), syncId: 'raw', partition: partitionLabel(target) };
      const mapped: Row[] = [];
      for (const record of records) {
        const m = recordToRow(record, resource, meta);
        if (m.ok) mapped.push({ ...m.row, _version: meta.syncedAt });
      }
      await insertRows(ch, database, resource.name, mapped);
      rows[resource.name] = (rows[resource.name] ?? 0) + mapped.length;
      pages++;
      return decidePageStop(resource.endpoint.paginator, doc, page, records.length);
    };
    await loadAllParts(resources, Number(vars.SYNC_HORIZON_DAYS), run, loadPage);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    console.log(JSON.stringify({ seconds, rows, pages, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
  } finally {
    await ch.close();
  }
}

main().catch((err: unknown) => {
  console.error(`raw-loader: ${(err as Error).message}`);
  process.exit(1);
});
