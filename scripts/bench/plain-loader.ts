// The benchmark's physical limit: the same resources and the same requests as the raw loader, with
// the least work a copy can do. Keep-alive HTTP, 8 requests at once, 1000 records a page, one insert
// per page of the records as the API returns them (JSONEachRow of the parsed objects: no mapping, no
// hashing, no bookkeeping columns), into a plain MergeTree table per resource whose columns are the
// API's top-level fields (see plainTableSql). Nothing else: no merge decisions, seen ids, checks,
// retries or deletions.
//
//   ts-node scripts/bench/plain-loader.ts --database NAME [--resources a,b] [--concurrency 8]
// Settings come from the environment like the worker's (CLOCKODO_*, CLICKHOUSE_*, SOURCE_CONFIG).
// Prints one JSON line: {"seconds": ..., "rows": {resource: n}, "pages": n, "cpuSeconds": n}.
import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'http';
import { Agent as HttpsAgent, request as httpsRequest } from 'https';
import { pageUrl } from '../../activities/fetch-page';
import { authHeaders } from '../../activities/http-client';
import { connectClickHouse } from '../../clickhouse/connection';
import { ensureDatabase } from '../../clickhouse/schema';
import { ident, qualified } from '../../clickhouse/sql';
import { loadSourceConfig } from '../../config/load-source-config';
import { clickHouseSettings, readEnv, resolveVariables } from '../../config/settings';
import { workerCredentials } from '../../config/worker-credentials';
import { decidePageStop } from '../../domain/paging';
import { readRecords } from '../../domain/response-paths';
import type { ColumnKind, ResourceConfig } from '../../domain/source-config';
import type { ReadTarget } from '../../domain/types';
import { limiter } from './limiter';
import { loadAllParts, selectResources } from './read-targets';

const PAGE_SIZE = 1000;

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/**
 * Column types ClickHouse 18.16 parses straight from the API's JSON values. Datetimes stay the API's
 * ISO text (String): 18.16's JSONEachRow reads no `T…Z` DateTime, and converting them is mapping.
 */
const PLAIN_TYPES: Record<ColumnKind, string> = {
  int: 'Int64',
  float: 'Float64',
  string: 'String',
  bool: 'UInt8', // 18.16 reads JSON true/false into UInt8
  date: 'Date',
  datetime: 'String',
};

/**
 * A table for the records as they come: one column per top-level field the configuration names
 * (nested and list fields are left to input_format_skip_unknown_fields, like every unnamed field),
 * MergeTree ordered by the primary key when it is top-level.
 */
export function plainTableSql(db: string, resource: ResourceConfig): string {
  const top = Object.entries(resource.columns).filter(([, spec]) => !spec.nested && !spec.array);
  const keys = resource.primary_key.filter((k) => top.some(([name]) => name === k));
  const columns = top.map(([name, spec]) => {
    const type = PLAIN_TYPES[spec.kind];
    return `${ident(name)} ${keys.includes(name) ? type : `Nullable(${type})`}`;
  });
  const order = keys.length ? `(${keys.map(ident).join(', ')})` : 'tuple()';
  return `CREATE TABLE IF NOT EXISTS ${qualified(db, resource.name)} (${columns.join(', ')}) ENGINE = MergeTree ORDER BY ${order}`;
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 8 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 8 }),
};

/** GET a JSON document over a kept-alive connection; any status but 2xx fails the load. */
function getJsonDocument(url: URL, headers: Record<string, string>): Promise<unknown> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = url.protocol === 'https:' ? agents.https : agents.http;
  return new Promise((resolve, reject) => {
    const req = send(url, { headers, agent }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300)
          reject(new Error(`GET ${url.pathname}: ${status} ${text.slice(0, 200)}`));
        else {
          try {
            resolve(JSON.parse(text));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const database = arg('--database');
  if (!database) throw new Error('--database is required');
  const concurrency = Number(arg('--concurrency') ?? 8);
  agents.http.maxSockets = agents.https.maxSockets = concurrency;
  const vars: Record<string, string> = { ...resolveVariables(readEnv()), CLICKHOUSE_DATABASE: database };
  const config = loadSourceConfig(vars);
  const resources = selectResources(config.resources, arg('--resources'));
  const headers = {
    Accept: 'application/json',
    ...config.client.headers,
    ...authHeaders(config.client.auth, workerCredentials(vars).secrets),
  };
  const ch = connectClickHouse(clickHouseSettings(vars));
  const run = limiter(concurrency);
  const rows: Record<string, number> = {};
  let pages = 0;
  try {
    await ensureDatabase(ch, database);
    for (const r of resources) await ch.command({ query: plainTableSql(database, r) });
    const started = performance.now();
    const cpuAtStart = process.cpuUsage(); // not the TypeScript compilation before it

    const loadPage = async (resource: ResourceConfig, target: ReadTarget, page: number) => {
      const url = pageUrl({ client: config.client, resource, page, target }, PAGE_SIZE);
      const doc = await getJsonDocument(url, headers);
      const records = readRecords(doc, resource.endpoint.data_selector);
      if (records === undefined) throw new Error(`GET ${url.pathname}: no records in the response`);
      if (records.length > 0) {
        await ch.insert({
          table: qualified(database, resource.name),
          values: records,
          format: 'JSONEachRow',
          clickhouse_settings: { input_format_skip_unknown_fields: 1 },
        });
      }
      rows[resource.name] = (rows[resource.name] ?? 0) + records.length;
      pages++;
      return decidePageStop(resource.endpoint.paginator, doc, page, records.length);
    };
    await loadAllParts(resources, Number(vars.SYNC_HORIZON_DAYS), run, loadPage);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    console.log(JSON.stringify({ seconds, rows, pages, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
  } finally {
    agents.http.destroy();
    agents.https.destroy();
    await ch.close();
  }
}

main().catch((err: unknown) => {
  console.error(`plain-loader: ${(err as Error).message}`);
  process.exit(1);
});
