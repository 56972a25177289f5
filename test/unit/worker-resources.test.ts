// The worker's limits: derived from the machine's cores and memory (the cgroup's limit when lower),
// each overridable by a setting that is checked and named when wrong.
import { strict as assert } from 'assert';
import { SettingsError } from '../../config/settings';
import {
  cgroupMemoryLimit,
  derivedResources,
  limitsLogged,
  Machine,
  workerResources,
} from '../../config/worker-resources';
import { workerNodeEnv, workerNodeFlags } from '../../config/worker-settings';

const machine = (cores: number, memoryMb: number): Machine => ({ cores, memoryMb, memoryFrom: 'machine' });
/** The benchmark's machine: 2 cores, 24 GB. */
const BENCH = machine(2, 24_105);

function assertSetting(fn: () => unknown, setting: string, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SettingsError, `expected a SettingsError, got ${String(e)}`);
    assert.ok(e.message.startsWith(`${setting}: `), e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('worker resources', () => {
  it('on the benchmark machine: 8 activity slots, a 192 MB heap, 8 MB semi-spaces, 2 arenas', () => {
    assert.deepEqual(derivedResources(BENCH), {
      activitySlots: 8,
      workflowTaskSlots: 8,
      cachedWorkflows: 1000,
      maxHeapMb: 192,
      semiSpaceMb: 8,
      mallocArenas: 2,
    });
  });

  it('scales the slots and the heap with the cores, within bounds', () => {
    const at = (cores: number) => derivedResources(machine(cores, 65_536));
    assert.deepEqual(
      [1, 4, 8, 64].map((cores) => [at(cores).activitySlots, at(cores).maxHeapMb, at(cores).semiSpaceMb]),
      [
        [4, 128, 4],
        [16, 320, 8],
        [32, 576, 16],
        [32, 576, 16],
      ],
    );
    assert.deepEqual(
      [1, 4, 64].map((cores) => [at(cores).workflowTaskSlots, at(cores).mallocArenas]),
      [
        [4, 2],
        [16, 4],
        [40, 8],
      ],
    );
  });

  it('keeps the heap within a quarter of a small memory, by fewer slots', () => {
    const small = derivedResources(machine(8, 1024));
    assert.equal(small.activitySlots, 12);
    assert.ok(small.maxHeapMb <= 1024 / 4, String(small.maxHeapMb));
    // Never fewer than 2 slots, whatever the memory: a worker that cannot work is no bound.
    assert.equal(derivedResources(machine(8, 128)).activitySlots, 2);
    // The cache follows the memory, between the 100 one sync needs and 1000.
    assert.deepEqual(
      [1024, 8192, 65_536].map((mb) => derivedResources(machine(2, mb)).cachedWorkflows),
      [100, 409, 1000],
    );
  });

  it('takes each setting over what is derived, and says which were set', () => {
    const r = workerResources(
      { WORKER_ACTIVITY_SLOTS: '16', WORKER_MAX_HEAP_MB: '256', MALLOC_ARENA_MAX: '0' },
      BENCH,
    );
    assert.equal(r.activitySlots, 16);
    assert.equal(r.maxHeapMb, 256);
    assert.equal(r.mallocArenas, 0);
    // Derived from the machine, not from the heap that was set.
    assert.equal(r.semiSpaceMb, 8);
    assert.equal(r.from.activitySlots, 'set');
    assert.equal(r.from.semiSpaceMb, 'derived');
  });

  it('refuses a bad value, naming the setting and its bounds', () => {
    const bad: [string, string, RegExp][] = [
      ['WORKER_ACTIVITY_SLOTS', '0', /1 to 1000/],
      ['WORKER_ACTIVITY_SLOTS', '8.5', /1 to 1000/],
      ['WORKER_WORKFLOW_TASK_SLOTS', '1', /2 to 1000/],
      ['WORKER_MAX_CACHED_WORKFLOWS', '1', /2 to 100000/],
      ['WORKER_MAX_HEAP_MB', '63', /64 to 65536/],
      ['WORKER_MAX_HEAP_MB', 'abc', /64 to 65536/],
      ['WORKER_SEMI_SPACE_MB', '0', /1 to 256/],
      ['MALLOC_ARENA_MAX', '-1', /0 to 1024/],
    ];
    for (const [name, value, pattern] of bad)
      assertSetting(() => workerResources({ [name]: value }, BENCH), name, pattern);
  });

  it('keeps workflow task slots within the cache, lowering the derived ones and refusing set ones', () => {
    assert.equal(workerResources({ WORKER_MAX_CACHED_WORKFLOWS: '5' }, BENCH).workflowTaskSlots, 5);
    assertSetting(
      () => workerResources({ WORKER_MAX_CACHED_WORKFLOWS: '5', WORKER_WORKFLOW_TASK_SLOTS: '6' }, BENCH),
      'WORKER_WORKFLOW_TASK_SLOTS',
      /at most WORKER_MAX_CACHED_WORKFLOWS \(5\), got "6"/,
    );
  });

  it('gives node the heap flags and MALLOC_ARENA_MAX (none for 0, glibc default)', () => {
    assert.deepEqual(workerNodeFlags({}, BENCH), ['--max-old-space-size=192', '--max-semi-space-size=8']);
    assert.deepEqual(workerNodeEnv({}, BENCH), { MALLOC_ARENA_MAX: '2' });
    assert.deepEqual(workerNodeEnv({ MALLOC_ARENA_MAX: '0' }, BENCH), {});
  });

  it('reads the cgroup limit (v2, else v1), and none when it says max', () => {
    const files = (map: Record<string, string>) => (file: string) => map[file];
    assert.equal(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': '536870912\n' })), 536_870_912);
    assert.equal(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': 'max\n' })), undefined);
    assert.equal(
      cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '1073741824\n' })),
      1_073_741_824,
    );
    assert.equal(cgroupMemoryLimit(files({})), undefined);
  });

  it('logs the machine, the limits, the settings that set them and what node runs with', () => {
    const line = limitsLogged(BENCH, workerResources({ WORKER_ACTIVITY_SLOTS: '4' }, BENCH), {
      heapLimitMb: 216,
      mallocArenaMax: '2',
    });
    assert.deepEqual(line, {
      cores: 2,
      memoryMb: 24_105,
      memoryFrom: 'machine',
      activitySlots: 4,
      workflowTaskSlots: 8,
      cachedWorkflows: 1000,
      maxHeapMb: 192,
      semiSpaceMb: 8,
      mallocArenas: 2,
      set: 'WORKER_ACTIVITY_SLOTS',
      v8HeapLimitMb: 216,
      mallocArenaMax: '2',
    });
  });
});
