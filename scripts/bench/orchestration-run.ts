// One measured run of the orchestration benchmark: a shape's workflow over some pages, with the
// worker's CPU (it runs in this process), the Temporal server's CPU and counters, and the history.
import type { Client } from '@temporalio/client';
import { countersSince, namespaceCounters, NamespaceCounters, total } from './dev-server-probe';
import { pageWork } from './orchestration-activities';
import { historyFigures } from './orchestration-history';
import type { ShapeRun, WorkRun } from './orchestration-report';
import { cpuSeconds } from './processes';

export interface Shape {
  name: string;
  workflow: 'pagePerActivity' | 'pagePerLocalActivity' | 'pageRuns';
  args: (pages: number) => [number, number];
}

/** Where runs go and what is read of the server. */
export interface Bench {
  client: Client;
  namespace: string;
  taskQueue: string;
  serverPid: number;
  metricsUrl: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** This process's CPU so far (all threads: the SDK core's and the workflow thread's too), ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Waits until the server's counters for the namespace stop moving (the server publishes them about
 * once a second, and the previous run's last requests may still be counted), then returns them with
 * the server's CPU rate over that last quiet second: its load from everything else.
 */
async function quiet(b: Bench): Promise<{ counters: NamespaceCounters; idleRate: number }> {
  let counters = await namespaceCounters(b.metricsUrl, b.namespace);
  for (let i = 0; i < 20; i++) {
    const cpu0 = cpuSeconds(b.serverPid);
    await sleep(1000);
    const next = await namespaceCounters(b.metricsUrl, b.namespace);
    const idleRate = cpuSeconds(b.serverPid) - cpu0; // CPU seconds in one second
    const moved = JSON.stringify(next) !== JSON.stringify(counters);
    counters = next;
    if (!moved) return { counters, idleRate };
  }
  throw new Error(
    `the server's counters for ${b.namespace} keep moving: does something else use the namespace?`,
  );
}

export async function measureShape(b: Bench, shape: Shape, pages: number): Promise<ShapeRun> {
  const before = await quiet(b);
  const workflowId = `${b.taskQueue}-${shape.workflow}-${Date.now()}`;
  const server0 = cpuSeconds(b.serverPid);
  const worker0 = cpuMs();
  const t0 = performance.now();
  await b.client.workflow.execute(shape.workflow, {
    taskQueue: b.taskQueue,
    workflowId,
    args: shape.args(pages),
  });
  const wallMs = performance.now() - t0;
  const workerCpuMs = cpuMs() - worker0;
  const serverRawMs = (cpuSeconds(b.serverPid) - server0) * 1000;
  const after = await quiet(b);
  const counters = countersSince(before.counters, after.counters);
  const history = historyFigures((await b.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
  const heartbeats = counters.frontendRequests.RecordActivityTaskHeartbeat ?? 0;
  // The server's load from others, at the mean of its rates just before and just after the run.
  const serverIdleCpuMs = ((before.idleRate + after.idleRate) / 2) * wallMs;
  return {
    shape: shape.name,
    pages,
    wallMs,
    workerCpuMs,
    serverCpuMs: serverRawMs - serverIdleCpuMs,
    serverIdleCpuMs,
    history,
    heartbeats,
    frontendRequests: total(counters.frontendRequests),
    actionsByRule: history.actionsWithoutHeartbeats + heartbeats,
    actionsCounted: total(counters.actions),
    counters,
  };
}

/** The pages' work alone, in a plain loop: what every shape's figures include besides Temporal's. */
export function measureWork(pages: number): WorkRun {
  const worker0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < pages; i++) pageWork();
  return { pages, wallMs: performance.now() - t0, cpuMs: cpuMs() - worker0 };
}
