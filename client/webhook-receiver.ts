// The webhook receiver's HTTP side (`node:http`): POST / , /clockodo or /clockodo/<resource> with the
// token → the events are handed on (never any sync work here) and answered 200; Clockodo's validation
// request → its secret is logged for the user to enter in Clockodo; GET /metrics → counters.
// Every request is answered within a second, whatever the sender does.
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import type { ResourceEvents } from '../domain/changes';
import type { WebhookMetrics, RejectReason } from './webhook-metrics';
import { eventNamesOf, printable, sameToken, targetOf, tokensOf, validationSecret } from './webhook-request';

export const MAX_BODY_BYTES = 1 << 20;
/** Every request is answered within this, even one whose body trickles in. */
export const ANSWER_WITHIN_MS = 1000;
const MAX_CONNECTIONS = 512;

/** Where the receiver and its signaller log (the JSON logger of client/webhooks.ts). */
export interface WebhookLog {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface ReceiverOptions {
  token: string;
  /** The configured resources, in configuration order. */
  resources: readonly string[];
  metrics: WebhookMetrics;
  log: WebhookLog;
  /** Takes the events of an accepted request; returns at once. */
  onEvents: (events: ResourceEvents[]) => void;
}

/** Paths that take events: `/`, `/clockodo`, and `/clockodo/<resource or entity>`. */
function eventPath(path: string): { ok: true; name?: string } | { ok: false } {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/' || p === '/clockodo') return { ok: true };
  const m = /^\/clockodo\/([a-z0-9_]{1,64})$/.exec(p);
  return m ? { ok: true, name: m[1] } : { ok: false };
}

export function createReceiver(opts: ReceiverOptions): Server {
  const server = createServer((req, res) => {
    // Whatever goes wrong in one request is that request's 400, never the receiver's end.
    handle(req, res, opts).catch((err: unknown) => {
      opts.log.warn('webhook request failed', { error: err instanceof Error ? err.message : String(err) });
      answer(res, 400, { error: 'bad request' });
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = ANSWER_WITHIN_MS;
  server.requestTimeout = 5 * ANSWER_WITHIN_MS;
  server.keepAliveTimeout = 5000;
  return server;
}

function answer(
  res: ServerResponse,
  status: number,
  body: object | string,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ReceiverOptions): Promise<void> {
  const { metrics, log } = opts;
  // The path only, never the query: a `token` parameter must not reach a log.
  const url = new URL(req.url ?? '/', 'http://receiver');
  const where = { method: req.method, path: printable(url.pathname, 100), from: req.socket.remoteAddress };
  const reject = (
    status: number,
    reason: RejectReason,
    message: string,
    headers?: Record<string, string>,
  ) => {
    metrics.countRejected(reason);
    log.warn('webhook request rejected', { ...where, status, reason: message });
    // A body too large or too slow is not read on: the connection ends once the answer is out.
    const cut = status === 413 || status === 408;
    if (cut) res.on('finish', () => req.destroy());
    answer(res, status, { error: message }, cut ? { ...headers, Connection: 'close' } : headers);
  };
  const late = setTimeout(
    () => reject(408, 'timeout', `no complete request within ${ANSWER_WITHIN_MS} ms`),
    ANSWER_WITHIN_MS,
  );
  res.on('close', () => clearTimeout(late));

  if (req.method === 'GET' && url.pathname === '/metrics') {
    req.resume();
    return answer(res, 200, metrics.prometheus());
  }
  const path = eventPath(url.pathname);
  if (!path.ok) {
    req.resume();
    return reject(404, 'path', 'unknown path: events go to /, /clockodo or /clockodo/<resource>');
  }
  // Clockodo's validation request passes a secret as a URL parameter, which the user enters in
  // Clockodo: it is shown in this log, and answered as the body too.
  const secret = validationSecret(url.searchParams);
  if (secret !== undefined && (req.method === 'GET' || req.method === 'POST')) {
    req.resume();
    metrics.validations++;
    const shown = printable(secret);
    log.info('Clockodo webhook validation: enter this secret in Clockodo to activate the webhook', {
      ...where,
      secret: shown,
    });
    return answer(res, 200, shown);
  }
  if (req.method !== 'POST') {
    req.resume();
    return reject(405, 'method', 'only POST delivers events', { Allow: 'POST' });
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return reject(413, 'too_large', `body over ${MAX_BODY_BYTES} bytes`);

  let text: string;
  try {
    text = await readBody(req);
  } catch (err) {
    // A request cut off (by its sender, or after a 408) has no one left to answer.
    if (err !== TOO_LARGE || res.headersSent) return;
    return reject(413, 'too_large', `body over ${MAX_BODY_BYTES} bytes`);
  }
  if (res.headersSent) return; // answered late (408) meanwhile
  let body: unknown;
  let malformed = false;
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      malformed = true;
    }
  }
  const tokens = tokensOf(req.headers, url.searchParams, body);
  if (!tokens.some((t) => sameToken(t, opts.token)))
    return reject(401, 'token', tokens.length ? 'wrong token' : 'no token');
  if (malformed) return reject(400, 'malformed', 'the body is not JSON');

  const target = targetOf(path.name, eventNamesOf(req.headers, body), opts.resources);
  if (target.kind === 'unknown-path')
    return reject(404, 'path', `no configured resource or Clockodo entity is named ${target.name}`);
  if (target.kind === 'ignored') {
    metrics.ignored++;
    log.info('webhook event ignored', { ...where, reason: target.reason });
    return answer(res, 200, { ok: true, ignored: target.reason });
  }
  const at = Date.now();
  for (const c of target.changed) metrics.countReceived(c.resource, c.count);
  opts.onEvents(target.changed.map((c) => ({ ...c, at })));
  log.info('webhook event', { ...where, changed: target.changed.map((c) => `${c.resource}:${c.event}`) });
  answer(res, 200, { ok: true, resources: target.changed.map((c) => c.resource) });
}

const TOO_LARGE = new Error('too large');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        reject(TOO_LARGE);
        req.pause();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // A request cut off (by its sender, or by the 408 above) settles too: nothing waits for ever.
    req.on('close', () => reject(new Error('closed')));
  });
}
