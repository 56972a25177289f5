// WORKER_MEMORY_LOG_SECONDS's line: resident memory from /proc/self/status beside V8's figures.
import { strict as assert } from 'assert';
import { workerMemoryLogSeconds } from '../../config/worker-settings';
import { memoryFigures, residentFigures } from '../../worker/memory-log';

describe('memory log', () => {
  it('reads peak, anonymous and file-backed RSS in MB from /proc/self/status', () => {
    const status =
      'Name:\tnode\nVmHWM:\t  314476 kB\nVmRSS:\t  289898 kB\nRssAnon:\t  231535 kB\nRssFile:\t   58363 kB\n';
    assert.deepEqual(residentFigures(status), { peakRssMb: 307, anonMb: 226, fileMb: 57 });
    // Elsewhere than on Linux: V8's figures only.
    assert.deepEqual(residentFigures(''), {});
    assert.ok(memoryFigures().heapUsedMb > 0);
  });

  it('is off unless WORKER_MEMORY_LOG_SECONDS says every how many seconds (up to an hour)', () => {
    assert.equal(workerMemoryLogSeconds({}), 0);
    assert.equal(workerMemoryLogSeconds({ WORKER_MEMORY_LOG_SECONDS: '5' }), 5);
    assert.throws(
      () => workerMemoryLogSeconds({ WORKER_MEMORY_LOG_SECONDS: '0.5' }),
      /^SettingsError: WORKER_MEMORY_LOG_SECONDS: must be a whole number from 0 to 3600, got "0.5"$/,
    );
  });
});
