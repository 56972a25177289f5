// The worker's own settings: how `npm run worker` starts node (the heap limits and MALLOC_ARENA_MAX
// of worker-resources.ts, WORKER_NODE_FLAGS), where it serves metrics and how much it logs. Each is
// checked before the worker starts.
import { hostPortSetting } from './host-port';
import { integerSetting } from './settings';
import { quotedValue, SettingsError } from './settings-error';
import { Machine, thisMachine, workerResources } from './worker-resources';

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type WorkerLogLevel = (typeof LOG_LEVELS)[number];

/**
 * What node is started with: the heap limits (WORKER_MAX_HEAP_MB, WORKER_SEMI_SPACE_MB), then
 * WORKER_NODE_FLAGS (flags only, e.g. --cpu-prof), which may override them.
 */
export function workerNodeFlags(
  vars: Record<string, string | undefined>,
  machine: Machine = thisMachine(),
): string[] {
  const { maxHeapMb, semiSpaceMb } = workerResources(vars, machine);
  const extra = (vars.WORKER_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '');
  // Anything else would be taken as the script to run, in place of the worker.
  const bad = extra.find((f) => !/^--?[A-Za-z]/.test(f));
  if (bad !== undefined)
    throw new SettingsError(
      `WORKER_NODE_FLAGS: node flags only, each starting with - (e.g. --cpu-prof), got ${quotedValue(bad)}`,
    );
  return [`--max-old-space-size=${maxHeapMb}`, `--max-semi-space-size=${semiSpaceMb}`, ...extra];
}

/** The environment node is started with: MALLOC_ARENA_MAX, unless glibc's own default is chosen (0). */
export function workerNodeEnv(
  vars: Record<string, string | undefined>,
  machine: Machine = thisMachine(),
): Record<string, string> {
  const { mallocArenas } = workerResources(vars, machine);
  return mallocArenas > 0 ? { MALLOC_ARENA_MAX: String(mallocArenas) } : {};
}

/** WORKER_METRICS_ADDRESS: host:port, or `off` for no metrics. */
export function workerMetricsAddress(vars: Record<string, string>): string {
  const text = vars.WORKER_METRICS_ADDRESS ?? DEFAULT_METRICS_ADDRESS;
  if (text === 'off') return text;
  hostPortSetting(text, 'WORKER_METRICS_ADDRESS', `${DEFAULT_METRICS_ADDRESS} or off`);
  return text;
}

/** WORKER_MEMORY_LOG_SECONDS: a `memory` log line every N seconds (worker/memory-log.ts); 0, the default: none. */
export function workerMemoryLogSeconds(vars: Record<string, string>): number {
  return integerSetting(vars, 'WORKER_MEMORY_LOG_SECONDS', { min: 0, max: 3600, default: 0 });
}

export function workerLogLevel(vars: Record<string, string>): WorkerLogLevel {
  const text = (vars.LOG_LEVEL ?? 'INFO').toUpperCase();
  const level = LOG_LEVELS.find((l) => l === text);
  if (!level)
    throw new SettingsError(`LOG_LEVEL: one of ${LOG_LEVELS.join(', ')}, got ${quotedValue(vars.LOG_LEVEL)}`);
  return level;
}

/**
 * How a worker takes part in Temporal's Worker Deployment Versioning (docs/operations.md, "Deploying
 * a new build"): `pinned` (the default) keeps every run on the build that started it, `off` runs
 * unversioned (every build serves every run: an incompatible change then breaks runs in flight).
 */
export interface WorkerVersioning {
  mode: 'pinned' | 'off';
  /** The Worker Deployment: by default the task queue's name, one deployment per task queue. */
  deploymentName: string;
  /**
   * When this build makes itself the deployment's current version as it starts: `first` only
   * when the deployment has none yet (a first install), `always` on every start (one-step deploys).
   */
  promote: 'first' | 'always';
}

export function workerVersioning(vars: Record<string, string>): WorkerVersioning {
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const text = vars[name] ?? fallback;
    const found = allowed.find((a) => a === text);
    if (!found) throw new SettingsError(`${name}: one of ${allowed.join(', ')}, got ${quotedValue(text)}`);
    return found;
  };
  const deploymentName = vars.WORKER_DEPLOYMENT_NAME ?? vars.TEMPORAL_TASK_QUEUE ?? '';
  // Temporal joins deployment and build id with '.' in version strings.
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(deploymentName)) {
    throw new SettingsError(
      `WORKER_DEPLOYMENT_NAME: letters, digits, '-' and '_' (defaults to TEMPORAL_TASK_QUEUE), got ${quotedValue(deploymentName)}`,
    );
  }
  return {
    mode: choice('WORKER_VERSIONING', ['pinned', 'off'] as const, 'pinned'),
    deploymentName,
    promote: choice('WORKER_DEPLOYMENT_PROMOTE', ['first', 'always'] as const, 'first'),
  };
}

/**
 * Records a page run buffers before it inserts (WORKER_INSERT_RECORDS, default 10,000): ClickHouse makes
 * one part per insert, and inserts of 10,000 rows or more are its advice. Smaller inserts cost parts;
 * larger ones hold more rows in the worker's memory (about 1 KB each) and lose more on a crash.
 */
export function workerInsertRecords(vars: Record<string, string | undefined>): number {
  return integerSetting(vars as Record<string, string>, 'WORKER_INSERT_RECORDS', {
    min: 1,
    max: 1_000_000,
    default: 10_000,
  });
}
