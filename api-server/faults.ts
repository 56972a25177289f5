// Fault injection: the next `times` matching requests go wrong as `kind` says instead of being served
// normally, or, in random mode, each request goes wrong with a seeded probability per named fault.
import type { IncomingMessage, ServerResponse } from 'http';
import { STATUS_CODES } from 'http';
import { errorBody, sendRaw } from './http-util';
import { Rng } from './random';

/**
 * - `status`: answers `status` with the API's error body (or `body`), and `retryAfter` if given;
 * - `html`: answers `status` (default 502) with an HTML page, as a proxy or maintenance page would;
 * - `reset`: resets the connection (TCP RST) before any answer;
 * - `reset-mid-body`: sends the real answer's headers and half its body, then resets the connection;
 * - `stall-headers`: never answers (the connection stays open for `stallMs`, then closes);
 * - `stall-body`: sends the real answer's headers and half its body, then nothing more for `stallMs`;
 * - `truncated-json`: status 200 with the real answer's JSON cut in half (and a matching length).
 */
export const FAULT_KINDS = [
  'status',
  'html',
  'reset',
  'reset-mid-body',
  'stall-headers',
  'stall-body',
  'truncated-json',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  /** Default `status`. */
  kind?: FaultKind;
  /** Required for `status`; `html` defaults to 502; the other kinds ignore it. */
  status?: number;
  times: number;
  /** Matched against the path after '/api', e.g. '/v2/entries'; absent = every request. */
  pathPrefix?: string;
  /** Only requests with these query parameters, e.g. { page: '3' } for one page; absent = any. */
  query?: Record<string, string>;
  /** Sent verbatim as the Retry-After header (seconds or an HTTP date). */
  retryAfter?: string;
  /** Retry-After as the HTTP date this many seconds after the answer (whole seconds: up to 1 s less). */
  retryAfterDateIn?: number;
  /** Raw response body (`status` and `html`); default is the API's error body or a proxy's page. */
  body?: string;
  /** How long a stall holds the connection before closing it; default 5 minutes. */
  stallMs?: number;
}

/**
 * The faults by name, as random mode draws them and the injected counts name them: statuses, the
 * three kinds of 429, HTML pages with 502 and 200, and the connection and body faults.
 */
export const NAMED_FAULTS = [
  '429',
  '429-retry-after-seconds',
  '429-retry-after-date',
  '500',
  '502',
  '503',
  '504',
  'reset',
  'reset-mid-body',
  'stall-headers',
  'stall-body',
  'truncated-json',
  'html-502',
  'html-200',
  '400',
  '401',
  '403',
] as const;
export type FaultName = (typeof NAMED_FAULTS)[number];

export interface RandomFaults {
  seed: number;
  /** Probability per request of each named fault; together at most 1. */
  rates: Partial<Record<FaultName, number>>;
  /** Only requests under this path (after '/api'); absent = every API request. */
  pathPrefix?: string;
  /** As Fault.stallMs. */
  stallMs?: number;
}

/** Retry-After of the random 429s: short, so a soak spends its time on work, not waiting. */
const RANDOM_RETRY_AFTER_SECONDS = 1;
const DEFAULT_STALL_MS = 5 * 60_000;

/** A named fault as one injection. */
export function namedFault(name: FaultName): Fault {
  switch (name) {
    case '429-retry-after-seconds':
      return { status: 429, times: 1, retryAfter: String(RANDOM_RETRY_AFTER_SECONDS) };
    case '429-retry-after-date':
      // An HTTP date has whole seconds: one more, so the wait is about as long as the seconds' one.
      return { status: 429, times: 1, retryAfterDateIn: RANDOM_RETRY_AFTER_SECONDS + 1 };
    case 'html-502':
      return { kind: 'html', status: 502, times: 1 };
    case 'html-200':
      return { kind: 'html', status: 200, times: 1 };
    case 'reset':
    case 'reset-mid-body':
    case 'stall-headers':
    case 'stall-body':
    case 'truncated-json':
      return { kind: name, times: 1 };
    default:
      return { status: Number(name), times: 1 };
  }
}

/** The name a fault is counted under. */
export function faultName(fault: Fault): string {
  const kind = fault.kind ?? 'status';
  if (kind === 'html') return `html-${fault.status ?? 502}`;
  if (kind !== 'status') return kind;
  if (fault.retryAfterDateIn !== undefined) return `${fault.status}-retry-after-date`;
  if (fault.retryAfter === undefined) return String(fault.status);
  return `${fault.status}-retry-after-${/^\s*\d+\s*$/.test(fault.retryAfter) ? 'seconds' : 'date'}`;
}

export class FaultQueue {
  private faults: { fault: Fault; remaining: number }[] = [];
  private random?: { options: RandomFaults; rng: Rng };
  /** How many requests each named fault answered, since the server started. */
  readonly injected: Record<string, number> = {};

  add(fault: Fault): void {
    validateFault(fault);
    this.faults.push({ fault: { ...fault }, remaining: fault.times });
  }

  /** Turns random mode on (replacing any earlier one), or off with undefined. */
  setRandom(options: RandomFaults | undefined): void {
    if (options !== undefined) validateRandomFaults(options);
    this.random = options && {
      options: { ...options, rates: { ...options.rates } },
      rng: new Rng(options.seed),
    };
  }

  clear(): void {
    this.faults = [];
    this.random = undefined;
  }

  get pending(): number {
    return this.faults.reduce((n, f) => n + f.remaining, 0);
  }

  /**
   * The fault for a request to `path`: the first pending injection matching it (consumed, in the
   * order they were injected), else a random one if random mode draws one.
   */
  take(path: string, query: Record<string, string> = {}): Fault | undefined {
    const fault = this.takeQueued(path, query) ?? this.draw(path);
    if (fault) {
      const name = faultName(fault);
      this.injected[name] = (this.injected[name] ?? 0) + 1;
    }
    return fault;
  }

  private takeQueued(path: string, query: Record<string, string>): Fault | undefined {
    const slot = this.faults.find(
      ({ fault: f }) =>
        (f.pathPrefix === undefined || path.startsWith(f.pathPrefix)) &&
        Object.entries(f.query ?? {}).every(([k, v]) => query[k] === v),
    );
    if (!slot) return undefined;
    slot.remaining -= 1;
    if (slot.remaining <= 0) this.faults = this.faults.filter((f) => f !== slot);
    return slot.fault;
  }

  private draw(path: string): Fault | undefined {
    if (!this.random) return undefined;
    const { options, rng } = this.random;
    if (options.pathPrefix !== undefined && !path.startsWith(options.pathPrefix)) return undefined;
    // One draw per request, and a fixed order of names: the same seed gives the same faults.
    const u = rng.float();
    let upTo = 0;
    for (const name of NAMED_FAULTS) {
      upTo += options.rates[name] ?? 0;
      if (u < upTo) return { ...namedFault(name), stallMs: options.stallMs };
    }
    return undefined;
  }
}

export function validateFault(value: unknown): asserts value is Fault {
  const f = value as Partial<Record<keyof Fault, unknown>> | null;
  const problems: string[] = [];
  if (typeof f !== 'object' || f === null) throw new Error('fault must be an object');
  if (f.kind !== undefined && !FAULT_KINDS.includes(f.kind as FaultKind)) problems.push('kind');
  const needsStatus = f.kind === undefined || f.kind === 'status';
  if (
    (needsStatus || f.status !== undefined) &&
    (!Number.isInteger(f.status) || (f.status as number) < 100 || (f.status as number) > 599)
  )
    problems.push('status');
  if (!Number.isInteger(f.times) || (f.times as number) < 1) problems.push('times');
  for (const key of ['pathPrefix', 'retryAfter', 'body'] as const) {
    if (f[key] !== undefined && typeof f[key] !== 'string') problems.push(key);
  }
  if (
    f.query !== undefined &&
    (typeof f.query !== 'object' ||
      f.query === null ||
      Object.values(f.query).some((v) => typeof v !== 'string'))
  )
    problems.push('query');
  for (const key of ['stallMs', 'retryAfterDateIn'] as const) {
    if (f[key] !== undefined && !(typeof f[key] === 'number' && f[key] >= 0)) problems.push(key);
  }
  if (problems.length > 0) throw new Error(`invalid fault field(s): ${problems.join(', ')}`);
}

export function validateRandomFaults(value: unknown): asserts value is RandomFaults {
  const r = value as Partial<Record<keyof RandomFaults, unknown>> | null;
  if (typeof r !== 'object' || r === null) throw new Error('random faults must be an object');
  const problems: string[] = [];
  if (!Number.isInteger(r.seed)) problems.push('seed');
  if (typeof r.rates !== 'object' || r.rates === null || Array.isArray(r.rates)) {
    problems.push('rates');
  } else {
    let sum = 0;
    for (const [name, rate] of Object.entries(r.rates as Record<string, unknown>)) {
      if (!NAMED_FAULTS.includes(name as FaultName)) problems.push(`rates.${name} (unknown fault)`);
      else if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) problems.push(`rates.${name}`);
      else sum += rate;
    }
    if (sum > 1) problems.push(`rates (sum ${sum} > 1)`);
  }
  if (r.pathPrefix !== undefined && typeof r.pathPrefix !== 'string') problems.push('pathPrefix');
  if (r.stallMs !== undefined && !(typeof r.stallMs === 'number' && r.stallMs >= 0)) problems.push('stallMs');
  if (problems.length > 0) throw new Error(`invalid random fault field(s): ${problems.join(', ')}`);
}

/** What the request would be answered without the fault. */
export interface Answer {
  status: number;
  text: string;
  headers?: Record<string, string>;
}

/**
 * Answers `res` as `fault` says. `serve` gives the normal answer, for the faults that mangle it;
 * `hold` keeps a stall's timer so closing the server can clear it. Returns the status sent, 0 if none.
 */
export function answerWithFault(
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault,
  serve: () => Answer,
  hold: (timer: NodeJS.Timeout) => () => void,
): number {
  const kind = fault.kind ?? 'status';
  const socket = req.socket;
  const retryAfter =
    fault.retryAfterDateIn !== undefined
      ? new Date(Date.now() + fault.retryAfterDateIn * 1000).toUTCString()
      : fault.retryAfter;
  const retryHeader: Record<string, string> = retryAfter !== undefined ? { 'Retry-After': retryAfter } : {};
  const stall = (): void => {
    const release = hold(setTimeout(() => socket.destroy(), fault.stallMs ?? DEFAULT_STALL_MS));
    socket.once('close', release);
  };
  // A real reset (RST), as a crashed server or a load balancer sends; plain destroy() would be a FIN.
  const reset = (): void => {
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  };
  // Headers that promise the whole body, and its first half: the rest never comes.
  const halfBody = (then: () => void): void => {
    const answer = serve();
    const bytes = Buffer.from(answer.text);
    res.writeHead(answer.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(bytes.length),
      ...answer.headers,
    });
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), then);
  };
  switch (kind) {
    case 'status': {
      const status = fault.status ?? 500;
      const text = fault.body ?? JSON.stringify(errorBody(STATUS_CODES[status] ?? 'Injected fault'));
      sendRaw(res, status, text, retryHeader);
      return status;
    }
    case 'html': {
      const status = fault.status ?? 502;
      sendRaw(res, status, fault.body ?? htmlPage(status), {
        'Content-Type': 'text/html',
        ...retryHeader,
      });
      return status;
    }
    case 'reset':
      reset();
      return 0;
    case 'reset-mid-body':
      // A moment after the half has left, so the client reads headers and part of the body first.
      halfBody(() => {
        const release = hold(setTimeout(reset, 50));
        socket.once('close', release);
      });
      return 200;
    case 'stall-headers':
      stall();
      return 0;
    case 'stall-body':
      halfBody(stall);
      return 200;
    case 'truncated-json': {
      const answer = serve();
      sendRaw(res, 200, answer.text.slice(0, Math.floor(answer.text.length / 2)), answer.headers);
      return 200;
    }
  }
}

/** What nginx in front of an API answers when the API is away (with its padding), or, for 200, a maintenance page. */
function htmlPage(status: number): string {
  if (status === 200) {
    return [
      '<!DOCTYPE html>',
      '<html lang="en"><head><meta charset="utf-8"><title>Scheduled maintenance</title>',
      `<style>${'body { font-family: sans-serif; margin: 4em auto; max-width: 40em; } '.repeat(20)}</style>`,
      '</head><body><h1>We will be back soon</h1>',
      `<p>${'The service is being updated and will be available again shortly. '.repeat(20)}</p>`,
      '</body></html>',
    ].join('\n');
  }
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return [
    `<html>`,
    `<head><title>${title}</title></head>`,
    `<body>`,
    `<center><h1>${title}</h1></center>`,
    `<hr><center>nginx</center>`,
    `</body>`,
    `</html>`,
    ...Array.from({ length: 6 }, () => '<!-- a padding to disable MSIE and Chrome friendly error page -->'),
    '',
  ].join('\r\n');
}
