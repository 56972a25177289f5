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
 * once a second, and the previous run's last requests may still be counted), and returns them.
 */
async function quiet(b: Bench): Promise<NamespaceCounters> {
  let counters = await namespaceCounters(b.metricsUrl, b.namespace);
  for (let i = 0; i < 20; i++) {
    await sleep(1000);
    const next = await namespaceCounters(b.metricsUrl, b.namespace);
    const moved = JSON.stringify(next) !== JSON.stringify(counters);
    counters = next;
    if (!moved) return counters;
  }
  throw new Error(
    `the server's counters for ${b.namespace} keep moving: does something else use the namespace?`,
  );
}

/**
 * The server's CPU rate (CPU seconds per second) over a second in which this process asks nothing of
 * it: its load from everything else. Not while reading its counters: rendering them costs the shared
 * server (tens of thousands of lines) about 0.6 s of CPU each time.
 */
async function idleRate(b: Bench): Promise<number> {
  const cpu0 = cpuSeconds(b.serverPid);
  await sleep(1000);
  return cpuSeconds(b.serverPid) - cpu0;
}

export async function measureShape(b: Bench, shape: Shape, pages: number): Promise<ShapeRun> {
  const before = await quiet(b);
  const idleBefore = await idleRate(b);
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
  const counters = countersSince(before, await quiet(b));
  const idleAfter = await idleRate(b); // after quiet(): not the run's own last work

  const history = historyFigures((await b.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
  const heartbeats = counters.frontendRequests.RecordActivityTaskHeartbeat ?? 0;
  // The server's load from others, at the mean of its rates just before and a little after the run.
  const serverIdleCpuMs = ((idleBefore + idleAfter) / 2) * wallMs;
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
