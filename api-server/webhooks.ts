// Clockodo-style webhooks from the local API server: each write POSTs `{"event": "entry.updated", "data":
// <record>}` to every configured target URL with `Authorization: Bearer <token>`, so a receiver can pick an
// edit up within seconds instead of waiting for the next scheduled sync.
// Delivery is fire-and-forget for the writer, in order per target, with a bounded queue (the oldest are
// dropped and counted beyond it), one retry after a network error or a 5xx, and one stderr line per failure.
// The token is a secret: it never appears in a log line or an error message.

export interface WebhookConfig {
  /** Target URLs (http or https); every event goes to each of them. */
  urls: string[];
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
}

export interface WebhookCounters {
  /** Deliveries a target answered with 2xx (one per event and target). */
  sent: number;
  /** Deliveries given up: network error or 5xx twice, or any other non-2xx answer. */
  failed: number;
  /** Deliveries never tried: pushed out of a full queue, or pending when the sender closed. */
  dropped: number;
  /** Deliveries queued or in flight now. */
  pending: number;
}

export interface WebhookSenderOptions {
  /** Queued deliveries per target before the oldest is dropped (default 1000). */
  maxPending?: number;
  /** Per attempt, answer and body included (default 5000). */
  timeoutMs?: number;
  /** Before the one retry (default 1000). */
  retryDelayMs?: number;
  /** Where failures are reported, one line each (default stderr). */
  log?: (line: string) => void;
}

interface Delivery {
  event: string;
  /** Serialized when sent: later edits to the record must not change what this event says. */
  body: string;
}

interface Target {
  url: string;
  /** The URL as logs show it: no query string, user info or fragment (a secret may ride in them). */
  shown: string;
  queue: Delivery[];
  busy: boolean;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string };

const DEFAULTS = { maxPending: 1000, timeoutMs: 5000, retryDelayMs: 1000 };

export class WebhookSender {
  private readonly targets: Target[];
  private readonly token: string;
  private readonly maxPending: number;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly log: (line: string) => void;
  private readonly counts = { sent: 0, failed: 0, dropped: 0 };
  private readonly idleWaiters: (() => void)[] = [];
  /** Aborts requests and retry waits in flight when the sender closes. */
  private readonly closing = new AbortController();

  constructor(config: WebhookConfig | undefined, options: WebhookSenderOptions = {}) {
    validateConfig(config);
    this.token = config?.token ?? '';
    this.targets = (config?.urls ?? []).map((url) => ({ url, shown: shownUrl(url), queue: [], busy: false }));
    this.maxPending = options.maxPending ?? DEFAULTS.maxPending;
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULTS.retryDelayMs;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1) {
      throw new Error('webhooks: maxPending must be a positive integer');
    }
  }

  /** Whether any target is configured (without one, send does nothing). */
  get enabled(): boolean {
    return this.targets.length > 0;
  }

  /** The target URLs as logs may show them (no query string: a secret may ride in it). */
  get destinations(): string[] {
    return this.targets.map((t) => t.shown);
  }

  /** Queues the event for every target and returns at once; delivery happens in the background. */
  send(event: string, data: object): void {
    if (this.targets.length === 0 || this.closing.signal.aborted) return;
    const delivery = { event, body: JSON.stringify({ event, data }) };
    for (const target of this.targets) {
      target.queue.push(delivery);
      if (target.queue.length > this.maxPending) {
        target.queue.shift();
        this.counts.dropped++;
      }
      if (!target.busy) void this.drain(target);
    }
  }

  counters(): WebhookCounters {
    const pending = this.targets.reduce((n, t) => n + t.queue.length + (t.busy ? 1 : 0), 0);
    return { ...this.counts, pending };
  }

  /** Resolves once every queued delivery has been sent, has failed or was dropped. */
  flush(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending: pending deliveries are dropped (and counted), requests in flight aborted. */
  async close(): Promise<void> {
    if (!this.closing.signal.aborted) {
      for (const target of this.targets) {
        this.counts.dropped += target.queue.length;
        target.queue.length = 0;
      }
      this.closing.abort();
    }
    await this.flush();
  }

  private idle(): boolean {
    return this.targets.every((t) => !t.busy && t.queue.length === 0);
  }

  /** Sends a target's queue in order, one delivery at a time. */
  private async drain(target: Target): Promise<void> {
    target.busy = true;
    try {
      for (let next = target.queue.shift(); next; next = target.queue.shift()) {
        await this.deliver(target, next);
      }
    } finally {
      target.busy = false;
      if (this.idle()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    }
  }

  private async deliver(target: Target, delivery: Delivery): Promise<void> {
    let outcome = await this.attempt(target.url, delivery.body);
    let attempts = 1;
    if (!outcome.ok && outcome.retry && (await this.pause(this.retryDelayMs))) {
      outcome = await this.attempt(target.url, delivery.body);
      attempts++;
    }
    if (outcome.ok) {
      this.counts.sent++;
      return;
    }
    if (this.closing.signal.aborted) {
      this.counts.dropped++; // cut off by close(), not refused by the target
      return;
    }
    this.counts.failed++;
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    this.log(
      this.redact(
        `api-server: webhook ${delivery.event} to ${target.shown} failed after ${tries}: ${outcome.reason}`,
      ),
    );
  }

  private async attempt(url: string, body: string): Promise<Outcome> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
        body,
        // A redirect would carry the token elsewhere: treat it as an answer, not a hop.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]),
      });
      await res.arrayBuffer(); // read to the end so the connection can be reused
      if (res.status >= 200 && res.status < 300) return { ok: true };
      return { ok: false, retry: res.status >= 500, reason: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, retry: true, reason: errorReason(err, this.timeoutMs) };
    }
  }

  /** Waits `ms`; false when the sender closed meanwhile. */
  private pause(ms: number): Promise<boolean> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve(!signal.aborted);
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }

  /** Belt and braces: whatever a message says, the token and the URLs' query strings never reach a log. */
  private redact(line: string): string {
    let out = line;
    for (const target of this.targets) out = out.split(target.url).join(target.shown);
    return this.token ? out.split(this.token).join('[redacted]') : out;
  }
}

/** The webhook settings of a server started from the environment: API_WEBHOOK_URL (comma-separated) and API_WEBHOOK_TOKEN. */
export function webhookConfigFromEnv(env: NodeJS.ProcessEnv): WebhookConfig | undefined {
  const urls = (env.API_WEBHOOK_URL ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length === 0) return undefined;
  const token = env.API_WEBHOOK_TOKEN ?? '';
  if (token.trim() === '') throw new Error('API_WEBHOOK_TOKEN is required when API_WEBHOOK_URL is set');
  return { urls, token };
}

/** A URL as logs may show it: scheme, host, port and path only. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

function validateConfig(config: WebhookConfig | undefined): void {
  if (config === undefined) return;
  if (!Array.isArray(config.urls)) throw new Error('webhooks: urls must be a list of URLs');
  config.urls.forEach((url, i) => {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below, without echoing the value (it may hold a secret)
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new Error(`webhooks: URL ${i + 1} of ${config.urls.length} is not an http(s) URL`);
    }
  });
  if (config.urls.length > 0 && (typeof config.token !== 'string' || config.token.trim() === '')) {
    throw new Error('webhooks: a token is required');
  }
  // A header value cannot hold these; fetch would throw with a message naming the value.
  if (/[\r\n\0]/.test(config.token)) throw new Error('webhooks: the token holds a line break or NUL');
}

/** Why a request failed, in a few words: the error code where Node gives one (ECONNREFUSED, ...). */
function errorReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'aborted';
  }
  const cause =
    err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
