// WORKER_MEMORY_LOG_SECONDS (a diagnostic, off by default): every N seconds one `memory` line with
// where the worker's resident memory is. The heap figures are the worker thread's V8 heap only: the
// workflow thread's heap, the Temporal core's allocations and glibc's arenas are in rssMb and
// anonMb beside it (docs/operations.md, "Memory").
import { readFileSync } from 'fs';
import type { Logger } from '@temporalio/worker';

const MB = 1024 * 1024;

/** Peak, anonymous and file-backed resident memory in MB (Linux's /proc/self/status; none elsewhere). */
export function residentFigures(status: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [field, name] of [
    ['VmHWM', 'peakRssMb'],
    ['RssAnon', 'anonMb'],
    ['RssFile', 'fileMb'],
  ]) {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (m) out[name] = Math.round(Number(m[1]) / 1024);
  }
  return out;
}

function procStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

export function memoryFigures(): Record<string, number> {
  const m = process.memoryUsage();
  return {
    rssMb: Math.round(m.rss / MB),
    ...residentFigures(procStatus()),
    heapUsedMb: Math.round(m.heapUsed / MB),
    heapTotalMb: Math.round(m.heapTotal / MB),
    externalMb: Math.round(m.external / MB),
    arrayBuffersMb: Math.round(m.arrayBuffers / MB),
  };
}

/** Logs memoryFigures every `seconds` (0: never); the returned function stops it. */
export function startMemoryLog(logger: Logger, seconds: number): () => void {
  if (seconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    logger.info('memory', memoryFigures());
  }, seconds * 1000);
  // A diagnostic never keeps the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
