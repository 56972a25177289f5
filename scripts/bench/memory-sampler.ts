// A process's memory during a load, from /proc: its resident set (VmRSS) and its children's, sampled
// every 200 ms so the report can say when the peak came, and the kernel's own peak (VmHWM), reset at
// the load's start (clear_refs) so that it is this load's and not the process's lifetime's.
import { readdirSync, readFileSync, writeFileSync } from 'fs';

export interface MemoryPeak {
  /** RSS of the process and its children when the load started, MB. */
  startMb: number;
  /** The highest sampled RSS of the process and its children, MB. */
  sampledPeakMb: number;
  /** Seconds from the load's start to that sample. */
  peakAtSeconds: number;
  /** The load's length, seconds (for "peak at 12 s of 25 s"). */
  seconds: number;
  /** VmHWM over the load: the process's own, plus its children's (an upper bound, they may not coincide). */
  hwmMb: number;
  /** The larger of the two: what the report calls the load's peak RSS. */
  peakMb: number;
  /** The most processes seen in the tree (1: no children). */
  processes: number;
  samples: number;
}

const kbField = (status: string, field: string): number => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) : 0;
};

function readStatus(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // gone between listing and reading
  }
}

/** The process and every descendant, through each thread's `children` list. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return; // ended
    }
    for (const tid of tasks) {
      try {
        const children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (children) for (const c of children.split(/\s+/)) visit(Number(c));
      } catch {
        // a thread that ended while we listed
      }
    }
  };
  visit(pid);
  return out;
}

const treeKb = (pid: number, field: string) =>
  processTree(pid).reduce((kb, p) => kb + kbField(readStatus(p) ?? '', field), 0);

/** The process's VmHWM so far (its lifetime's, unless reset), MB. */
export function peakMemoryMb(pid: number): number {
  const status = readStatus(pid);
  return status ? kbField(status, 'VmHWM') / 1024 : NaN;
}

/**
 * Samples one process tree; `start()` and `stop()` bracket a load. The lifetime peak (what the
 * process reached across every load and its start-up) is kept across the resets.
 */
export class MemorySampler {
  private lifetimeKb = 0;
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private peak = { kb: 0, at: 0 };
  private startKb = 0;
  private processes = 1;
  private samples = 0;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.lifetimeKb = Math.max(this.lifetimeKb, treeKb(this.pid, 'VmHWM'));
    for (const p of processTree(this.pid)) {
      try {
        writeFileSync(`/proc/${p}/clear_refs`, '5'); // 5: reset the peak RSS to the current RSS
      } catch {
        // not allowed here: VmHWM stays the lifetime's, which still bounds the load's peak
      }
    }
    this.startedAt = performance.now();
    this.startKb = treeKb(this.pid, 'VmRSS');
    this.peak = { kb: this.startKb, at: 0 };
    this.processes = 1;
    this.samples = 0;
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  private sample(): void {
    const tree = processTree(this.pid);
    const kb = tree.reduce((n, p) => n + kbField(readStatus(p) ?? '', 'VmRSS'), 0);
    this.samples++;
    this.processes = Math.max(this.processes, tree.length);
    if (kb > this.peak.kb) this.peak = { kb, at: performance.now() - this.startedAt };
  }

  stop(): MemoryPeak {
    this.sample();
    clearInterval(this.timer);
    const hwmKb = treeKb(this.pid, 'VmHWM');
    this.lifetimeKb = Math.max(this.lifetimeKb, hwmKb, this.peak.kb);
    const mb = (kb: number) => kb / 1024;
    return {
      startMb: mb(this.startKb),
      sampledPeakMb: mb(this.peak.kb),
      peakAtSeconds: this.peak.at / 1000,
      seconds: (performance.now() - this.startedAt) / 1000,
      hwmMb: mb(hwmKb),
      peakMb: mb(Math.max(hwmKb, this.peak.kb)),
      processes: this.processes,
      samples: this.samples,
    };
  }

  /** The highest RSS the tree reached while sampled or between loads (VmHWM before each reset), MB. */
  lifetimePeakMb(): number {
    return Math.max(this.lifetimeKb, treeKb(this.pid, 'VmHWM')) / 1024;
  }
}
