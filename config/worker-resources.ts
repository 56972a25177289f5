// How much of the machine a worker takes, derived from its cores and the memory it may use (the
// cgroup's limit when that is lower than the machine's), each overridable by a setting. Memory grows
// with the work in flight (pages parsed, mapped and serialised per activity slot), so the activity
// slots follow the cores that do that work, and the heap follows the slots; the rest is fixed cost.
// scripts/worker.sh starts node with the heap flags and MALLOC_ARENA_MAX (worker/launch-flags.ts),
// worker/create-worker.ts gives the slots and the cache to the SDK. docs/operations.md, "Memory".
import { readFileSync } from 'fs';
import { availableParallelism, totalmem } from 'os';
import { integerSetting } from './settings';
import { quotedValue, SettingsError } from './settings-error';

const MiB = 1024 * 1024;

/** What the worker runs on: CPUs it may use, and memory (MB) it may use. */
export interface Machine {
  cores: number;
  memoryMb: number;
  /** `cgroup` when the container's limit is below the machine's memory. */
  memoryFrom: 'machine' | 'cgroup';
}

/** The cgroup's memory limit in bytes (v2 memory.max, else v1's), if one is set. */
export function cgroupMemoryLimit(
  read: (file: string) => string | undefined = readIfPresent,
): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    const text = read(file)?.trim();
    // v2 says `max`; v1 says a number near 2^63 when there is no limit (caught by the caller's min).
    if (text !== undefined && /^\d+$/.test(text)) return Number(text);
  }
  return undefined;
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function thisMachine(): Machine {
  const physical = totalmem();
  const limit = cgroupMemoryLimit();
  const bytes = limit !== undefined && limit < physical ? limit : physical;
  return {
    cores: availableParallelism(),
    memoryMb: Math.floor(bytes / MiB),
    memoryFrom: bytes < physical ? 'cgroup' : 'machine',
  };
}

/** The worker's limits; `from` says, for each, whether it was derived or set. */
export interface WorkerResources {
  /** WORKER_ACTIVITY_SLOTS: activities at once (pages in flight). */
  activitySlots: number;
  /** WORKER_WORKFLOW_TASK_SLOTS: workflow tasks at once. */
  workflowTaskSlots: number;
  /** WORKER_MAX_CACHED_WORKFLOWS: workflows kept in the sticky cache. */
  cachedWorkflows: number;
  /** WORKER_MAX_HEAP_MB: V8's old generation cap (--max-old-space-size), per isolate. */
  maxHeapMb: number;
  /** WORKER_SEMI_SPACE_MB: V8's young generation semi-space (--max-semi-space-size), per isolate. */
  semiSpaceMb: number;
  /** MALLOC_ARENA_MAX: glibc's malloc arenas (0: glibc's own default, 8 per core). */
  mallocArenas: number;
  from: Record<SettingName, 'derived' | 'set'>;
}

export const SETTING_NAMES = {
  activitySlots: 'WORKER_ACTIVITY_SLOTS',
  workflowTaskSlots: 'WORKER_WORKFLOW_TASK_SLOTS',
  cachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
  maxHeapMb: 'WORKER_MAX_HEAP_MB',
  semiSpaceMb: 'WORKER_SEMI_SPACE_MB',
  mallocArenas: 'MALLOC_ARENA_MAX',
} as const;
type SettingName = keyof typeof SETTING_NAMES;

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(n)));
/** The largest power of two at most `n` (V8 rounds a semi-space up to one). */
const powerOfTwoBelow = (n: number) => 2 ** Math.floor(Math.log2(Math.max(1, n)));

/**
 * The limits a machine gets when no setting says otherwise (docs/operations.md, "Memory"):
 * - activity slots: 4 per core (a page's request and inserts wait more than they compute), 2 to 32,
 *   and fewer where the heap they need would pass a quarter of the memory;
 * - heap: 64 MB (the bundle, clients, caches) plus 16 MB per slot (a page run's mapped rows);
 * - semi-space: the heap / 24, as a power of two from 1 to 16 MB. It is paid twice per isolate (the
 *   worker's and the workflow thread's): 16 MB, V8's default, cost 35 MB of RSS more than 8 at M;
 * - workflow task slots: 4 per core, 4 to 40 (one thread runs all workflow code anyway);
 * - cached workflows: a tenth of the memory at 2 MB each (the SDK's estimate), 100 to 1000: one sync
 *   holds about 50 open, and a workflow evicted while open is replayed from its whole history;
 * - malloc arenas: one per core, 2 to 8 (glibc's default, 8 per core, left 40 MB in arenas at M).
 */
export function derivedResources(machine: Machine): Omit<WorkerResources, 'from'> {
  const quarterMb = machine.memoryMb / 4;
  const activitySlots = clamp(
    Math.min(4 * machine.cores, (quarterMb - HEAP_BASE_MB) / HEAP_PER_SLOT_MB),
    2,
    32,
  );
  const maxHeapMb = HEAP_BASE_MB + HEAP_PER_SLOT_MB * activitySlots;
  return {
    activitySlots,
    workflowTaskSlots: clamp(4 * machine.cores, 4, 40),
    cachedWorkflows: clamp(machine.memoryMb / 10 / 2, 100, 1000),
    maxHeapMb,
    semiSpaceMb: clamp(powerOfTwoBelow(maxHeapMb / 24), 1, 16),
    mallocArenas: clamp(machine.cores, 2, 8),
  };
}

const HEAP_BASE_MB = 64;
const HEAP_PER_SLOT_MB = 16;

/** The worker's limits: each setting that is given (checked), else what the machine gets. */
export function workerResources(
  vars: Record<string, string | undefined>,
  machine: Machine = thisMachine(),
): WorkerResources {
  const derived = derivedResources(machine);
  const given = vars as Record<string, string>;
  const setting = (key: SettingName, min: number, max: number) =>
    integerSetting(given, SETTING_NAMES[key], { min, max, default: derived[key] });
  const from = Object.fromEntries(
    Object.entries(SETTING_NAMES).map(([key, name]) => [key, given[name] === undefined ? 'derived' : 'set']),
  ) as WorkerResources['from'];
  const cachedWorkflows = setting('cachedWorkflows', 2, 100_000);
  // The SDK runs a workflow task only on a cached workflow (it would lower the slots itself, with a warning).
  const taskSlotsText = given[SETTING_NAMES.workflowTaskSlots];
  const workflowTaskSlots =
    taskSlotsText === undefined
      ? Math.max(2, Math.min(derived.workflowTaskSlots, cachedWorkflows))
      : setting('workflowTaskSlots', 2, 1000);
  if (workflowTaskSlots > cachedWorkflows) {
    throw new SettingsError(
      `${SETTING_NAMES.workflowTaskSlots}: at most ${SETTING_NAMES.cachedWorkflows} (${cachedWorkflows}), got ${quotedValue(taskSlotsText)}`,
    );
  }
  return {
    activitySlots: setting('activitySlots', 1, 1000),
    workflowTaskSlots,
    cachedWorkflows,
    // Below 64 MB the worker cannot even load its workflow bundle.
    maxHeapMb: setting('maxHeapMb', 64, 65536),
    semiSpaceMb: setting('semiSpaceMb', 1, 256),
    mallocArenas: setting('mallocArenas', 0, 1024),
    from,
  };
}

/**
 * The worker's start-up log line: the machine, each limit, the settings that overrode one, and what
 * node actually runs with (a worker not started by scripts/worker.sh has V8's and glibc's defaults).
 */
export function limitsLogged(
  machine: Machine,
  limits: WorkerResources,
  actual: { heapLimitMb: number; mallocArenaMax: string | undefined },
): Record<string, unknown> {
  const { from, ...values } = limits;
  const set = Object.entries(from)
    .filter(([, how]) => how === 'set')
    .map(([key]) => SETTING_NAMES[key as SettingName]);
  return {
    ...machine,
    ...values,
    set: set.length > 0 ? set.join(', ') : 'none (all derived)',
    v8HeapLimitMb: actual.heapLimitMb,
    mallocArenaMax: actual.mallocArenaMax ?? 'glibc default',
  };
}
