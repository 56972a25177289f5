// Fault injection: the next `times` matching requests answer `status` instead of being served.

export interface Fault {
  status: number;
  times: number;
  /** Matched against the path after '/api', e.g. '/v2/entries'; absent = every request. */
  pathPrefix?: string;
  /** Sent verbatim as the Retry-After header (seconds or an HTTP date). */
  retryAfter?: string;
  /** Raw response body; default is the API's error body. */
  body?: string;
}

export class FaultQueue {
  private faults: { fault: Fault; remaining: number }[] = [];

  add(fault: Fault): void {
    validateFault(fault);
    this.faults.push({ fault: { ...fault }, remaining: fault.times });
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes and returns the first pending fault matching `path`, in the order they were injected. */
  take(path: string): Fault | undefined {
    const slot = this.faults.find(
      (f) => f.fault.pathPrefix === undefined || path.startsWith(f.fault.pathPrefix),
    );
    if (!slot) return undefined;
    slot.remaining -= 1;
    if (slot.remaining <= 0) this.faults = this.faults.filter((f) => f !== slot);
    return slot.fault;
  }
}

export function validateFault(value: unknown): asserts value is Fault {
  const f = value as Partial<Record<keyof Fault, unknown>> | null;
  const problems: string[] = [];
  if (typeof f !== 'object' || f === null) throw new Error('fault must be an object');
  if (!Number.isInteger(f.status) || (f.status as number) < 100 || (f.status as number) > 599)
    problems.push('status');
  if (!Number.isInteger(f.times) || (f.times as number) < 1) problems.push('times');
  for (const key of ['pathPrefix', 'retryAfter', 'body'] as const) {
    if (f[key] !== undefined && typeof f[key] !== 'string') problems.push(key);
  }
  if (problems.length > 0) throw new Error(`invalid fault field(s): ${problems.join(', ')}`);
}
