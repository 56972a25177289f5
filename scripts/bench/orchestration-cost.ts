// `npx ts-node --transpile-only scripts/bench/orchestration-cost.ts [--pages 1000] [--runs 3]
//   [--in-flight 4] [--pages-per-run 50] [--address 127.0.0.1:7233 | --own-server] [--namespace orch-bench]
//   [--json FILE]`
//
// Temporal's own cost per page, for three shapes of reading pages, without HTTP or ClickHouse: every
// page does the same small CPU work (orchestration-activities.ts), so only the orchestration differs.
//   (a) one regular activity per page, up to --in-flight at once;
//   (b) one local activity per page, up to --in-flight at once;
//   (c) page runs: one activity per --pages-per-run pages, heartbeating after each page.
// Measured per run (orchestration-run.ts): wall time; the worker's CPU (in this process); the Temporal
// dev server's CPU, less its load from others; the history; the server's counters for the namespace
// (billable actions, frontend requests, heartbeats). The server is the shared one on --address, or
// with --own-server a private one nobody else loads (private-temporal.ts). Each round runs the shapes
// in a rotated order so that none always runs first; the report gives medians and ranges.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { devServerPid, metricsUrl } from './dev-server-probe';
import * as activities from './orchestration-activities';
import { report, ShapeRun, WorkRun } from './orchestration-report';
import { Bench, measureShape, measureWork, Shape } from './orchestration-run';
import { startPrivateTemporal } from './private-temporal';

/** Without continue-as-new, one activity per page nears Temporal's history limit (51,200 events) past this. */
const MAX_PAGES = 5000;
const TEMPORAL_CLI = path.resolve(__dirname, '../../.services/temporal-cli/bin/temporal');
const GRPC_NOT_FOUND = 5;

interface Options {
  pages: number;
  runs: number;
  inFlight: number;
  pagesPerRun: number;
  address: string;
  ownServer: boolean;
  namespace: string;
  json?: string;
}

const NUMBERS = {
  '--pages': 'pages',
  '--runs': 'runs',
  '--in-flight': 'inFlight',
  '--pages-per-run': 'pagesPerRun',
} as const;

function options(argv: string[]): Options {
  const o: Options = {
    pages: 1000,
    runs: 3,
    inFlight: 4,
    pagesPerRun: 50,
    address: '127.0.0.1:7233',
    ownServer: false,
    namespace: 'orch-bench',
  };
  const args = [...argv];
  while (args.length > 0) {
    const flag = args.shift() as string;
    if (flag === '--own-server') {
      o.ownServer = true;
      continue;
    }
    const value = args.shift();
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const key = NUMBERS[flag as keyof typeof NUMBERS] as (typeof NUMBERS)[keyof typeof NUMBERS] | undefined;
    if (key) {
      o[key] = Number(value);
      if (!Number.isInteger(o[key]) || o[key] < 1)
        throw new Error(`${flag}: a positive integer, not ${value}`);
    } else if (flag === '--address') o.address = value;
    else if (flag === '--namespace') o.namespace = value;
    else if (flag === '--json') o.json = value;
    else throw new Error(`unknown option ${flag}`);
  }
  if (o.pages > MAX_PAGES)
    throw new Error(`--pages: at most ${MAX_PAGES} (the workflows never continue as new)`);
  return o;
}

function shapes(o: Options): Shape[] {
  return [
    { name: '(a) activity per page', workflow: 'pagePerActivity', args: (n) => [n, o.inFlight] },
    { name: '(b) local activity per page', workflow: 'pagePerLocalActivity', args: (n) => [n, o.inFlight] },
    { name: `(c) page runs of ${o.pagesPerRun}`, workflow: 'pageRuns', args: (n) => [n, o.pagesPerRun] },
  ];
}

/** The shared server's namespace, created if missing (it then takes the server up to 10 s to serve it). */
async function ensureNamespace(connection: Connection, o: Options): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace: o.namespace });
    return;
  } catch (e) {
    if ((e as { code?: number }).code !== GRPC_NOT_FOUND) throw e;
  }
  const create = ['operator', 'namespace', 'create', '--namespace', o.namespace, '--address', o.address];
  execFileSync(TEMPORAL_CLI, [...create, '--retention', '24h'], { stdio: 'inherit' });
  await new Promise((resolve) => setTimeout(resolve, 12_000));
}

/** The server to measure against: its address, its process, its /metrics, and how to stop it if it is ours. */
async function temporalServer(o: Options) {
  if (o.ownServer) return startPrivateTemporal(TEMPORAL_CLI, o.namespace);
  const pid = devServerPid(Number(o.address.split(':').pop()));
  return { address: o.address, pid, metricsUrl: await metricsUrl(pid), stop: () => Promise.resolve() };
}

async function main() {
  const o = options(process.argv.slice(2));
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });
  const server = await temporalServer(o);
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  try {
    if (!o.ownServer) await ensureNamespace(connection, o);
    const bench: Bench = {
      client: new Client({ connection, namespace: o.namespace }),
      namespace: o.namespace,
      taskQueue: `orch-bench-${process.pid}-${Date.now()}`,
      serverPid: server.pid,
      metricsUrl: server.metricsUrl,
    };
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: o.namespace,
      taskQueue: bench.taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: require.resolve('./orchestration-workflows'),
        logger: new DefaultLogger('WARN'),
      }),
      activities,
    });
    console.error(
      `Temporal ${server.address} (pid ${server.pid}), namespace ${o.namespace}, queue ${bench.taskQueue}`,
    );

    const all = shapes(o);
    const byShape = new Map<string, ShapeRun[]>(all.map((s) => [s.name, []]));
    const work: WorkRun[] = [];
    await worker.runUntil(async () => {
      // Not counted: the JIT's warm-up, the workflow bundle's first load, the task queue's first polls.
      measureWork(Math.min(200, o.pages));
      for (const shape of all) await measureShape(bench, shape, Math.min(50, o.pages));
      for (let round = 0; round < o.runs; round++) {
        work.push(measureWork(o.pages));
        for (let i = 0; i < all.length; i++) {
          const shape = all[(round + i) % all.length];
          const run = await measureShape(bench, shape, o.pages);
          byShape.get(shape.name)?.push(run);
          const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
          console.error(
            `round ${round + 1}/${o.runs}, ${shape.name}: wall ${s(run.wallMs)}, worker CPU ${s(run.workerCpuMs)}, ` +
              `server CPU ${s(run.serverCpuMs)} (its load from others, ${s(run.serverIdleCpuMs)}, taken off)`,
          );
        }
      }
    });
    const runs = [...byShape.values()].flat();
    if (o.json)
      writeFileSync(o.json, JSON.stringify({ options: o, server: server.address, work, runs }, null, 2));
    console.log(
      report(byShape, work, o.ownServer ? 'a private dev server' : `the dev server on ${o.address}`).join(
        '\n',
      ),
    );
  } finally {
    await nativeConnection.close();
    await connection.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
