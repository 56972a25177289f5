// What the benchmark reads of a running Temporal dev server (`temporal server start-dev`): its
// process (for CPU), found by the port it serves, since tests start dev servers of their own on other
// ports; and its Prometheus counters, on the random port the dev server picks for /metrics.
import { execFileSync } from 'child_process';
import * as http from 'http';

/** Pid of the `temporal server start-dev` process listening on `port`. */
export function devServerPid(port: number): number {
  const candidates = pgrep('temporal server start-dev');
  const owner = listeningPorts().find((l) => l.port === port && candidates.includes(l.pid));
  if (!owner) {
    throw new Error(
      `no 'temporal server start-dev' process listens on port ${port} (candidates: ${candidates.join(', ')})`,
    );
  }
  return owner.pid;
}

function pgrep(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** TCP ports in LISTEN state with the pid holding each (`ss -ltnp`). */
function listeningPorts(): { port: number; pid: number }[] {
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  const rows: { port: number; pid: number }[] = [];
  for (const line of out.split('\n')) {
    const port = /:(\d+)\s+\S+:\*/.exec(line)?.[1];
    for (const m of line.matchAll(/pid=(\d+)/g)) rows.push({ port: Number(port), pid: Number(m[1]) });
  }
  return rows;
}

function httpGet(url: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
  });
}

/** The /metrics address of the server with this pid: the one of its ports that serves `action` counters. */
export async function metricsUrl(pid: number): Promise<string> {
  const ports = [
    ...new Set(
      listeningPorts()
        .filter((l) => l.pid === pid)
        .map((l) => l.port),
    ),
  ];
  for (const port of ports) {
    const url = `http://127.0.0.1:${port}/metrics`;
    const body = await httpGet(url, 2000).catch(() => '');
    if (body.includes('# TYPE action counter')) return url;
  }
  throw new Error(
    `the Temporal server (pid ${pid}) serves no /metrics with action counters on ports ${ports.join(', ')}`,
  );
}

/** Counters of one namespace, by metric name and then by `action_type` or `operation` label. */
export interface NamespaceCounters {
  /** The server's billable-action counter (what Temporal Cloud bills), by action_type. */
  actions: Record<string, number>;
  /** Requests the frontend served for the namespace, by operation. */
  frontendRequests: Record<string, number>;
}

export async function namespaceCounters(url: string, namespace: string): Promise<NamespaceCounters> {
  const body = await httpGet(url);
  // The server writes the namespace label with '-' as '_'.
  const ns = `namespace="${namespace.replace(/-/g, '_')}"`;
  const out: NamespaceCounters = { actions: {}, frontendRequests: {} };
  for (const line of body.split('\n')) {
    if (!line.includes(ns)) continue;
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const [, name, labels, value] = m;
    const label = (key: string) => new RegExp(`${key}="([^"]*)"`).exec(labels)?.[1] ?? '?';
    if (name === 'action') add(out.actions, label('action_type'), Number(value));
    if (name === 'service_requests' && label('service_name') === 'frontend') {
      add(out.frontendRequests, label('operation'), Number(value));
    }
  }
  return out;
}

function add(to: Record<string, number>, key: string, n: number) {
  to[key] = (to[key] ?? 0) + n;
}

/** What was counted between two snapshots. */
export function countersSince(before: NamespaceCounters, after: NamespaceCounters): NamespaceCounters {
  const diff = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(b)
        .map(([k, v]) => [k, v - (a[k] ?? 0)] as const)
        .filter(([, v]) => v !== 0),
    );
  return {
    actions: diff(before.actions, after.actions),
    frontendRequests: diff(before.frontendRequests, after.frontendRequests),
  };
}

export const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);
