// A local HTTP server speaking the Clockodo contract: every list resource, on the docs-era routes and on
// today's (endpoints.ts; served.ts says how each route renders its records).
// Order of checks per request: injected fault, route (404), method (405), auth (401),
// X-Clockodo-External-Application (400), then parameters (400).
// Writes (POST /v2/entries, PUT and DELETE /v2/entries/{id}; entry-writes.ts) take the same checks but no
// injected faults, and each one sends its webhook (webhooks.ts) when webhooks are configured.
import { createServer, IncomingMessage, RequestListener, ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import { AddressInfo } from 'net';
import { ApiCredentials, isAuthenticated } from './auth';
import { CONTROL_PREFIX, handleControl, ServingStats } from './control';
import { ENDPOINTS, EndpointContext, Handler, WorkTimesUntil } from './endpoints';
import {
  addEntry,
  bodyObject,
  deleteEntry,
  editEntry,
  ENTRIES_PATH,
  entryItemId,
  getEntry,
} from './entry-writes';
import { Answer, answerWithFault, Fault, FaultQueue, faultName, RandomFaults } from './faults';
import { ApiError, errorBody, readBody, sendJson, sendRaw } from './http-util';
import { queryOf } from './params';
import { rendered } from './record-edits';
import { Dataset } from './types';
import { WebhookConfig, WebhookSender } from './webhooks';

export type { ApiCredentials } from './auth';
export type { Fault, FaultKind, FaultName, RandomFaults } from './faults';
export type { WebhookConfig, WebhookCounters } from './webhooks';

export interface RequestLogEntry {
  method: string;
  /** Path after '/api' (e.g. '/v2/entries'), like Fault.pathPrefix; the full path if outside '/api'. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** Epoch ms when the request arrived. */
  at: number;
  /** The injected fault that answered it, by name (e.g. '503', 'reset-mid-body'); 0 is the status of no answer. */
  fault?: string;
}

export interface ApiServerOptions {
  dataset: Dataset;
  credentials: ApiCredentials;
  host?: string;
  port?: number;
  maxItemsPerPage?: number;
  defaultItemsPerPage?: number;
  latencyMs?: number;
  /**
   * Whether /v2/workTimes (and the change requests' date filter) include the date_until day: the docs do
   * not say. Default 'inclusive'.
   */
  workTimesUntil?: WorkTimesUntil;
  /** Enables /__control/faults and /__control/requests (for servers in another process). Default false. */
  allowControl?: boolean;
  /** Random faults from the start (a soak); also settable later through setRandomFaults or the control route. */
  randomFaults?: RandomFaults;
  /** Serve HTTPS with this certificate and key (PEM), as an API behind a private CA would. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Send a Clockodo-style webhook for every write (the entry routes, /__control/edit, /__control/change-entries)
   * to each of these URLs, with `Authorization: Bearer <token>`. Default: none sent. main.ts reads it from
   * API_WEBHOOK_URL and API_WEBHOOK_TOKEN.
   */
  webhooks?: WebhookConfig;
}

export interface RunningApiServer {
  url: string;
  port: number;
  dataset: Dataset;
  requestLog: RequestLogEntry[];
  injectFault(fault: Fault): void;
  /** Random mode on, replacing any earlier one, or off with undefined. */
  setRandomFaults(options: RandomFaults | undefined): void;
  /** Pending injections and random mode too. */
  clearFaults(): void;
  /** What serving cost so far (also GET /__control/stats). */
  stats(): ServingStats;
  /** How many requests each named fault answered since the server started. */
  faultCounts(): Record<string, number>;
  /** The webhook sender: counters() (sent, failed, dropped, pending), flush() (also GET /__control/webhooks). */
  webhooks: WebhookSender;
  /**
   * Called before each API request is answered (after auth), so a test can change the data while a
   * client pages through it: the request sees the change.
   */
  beforeServe?: (path: string, query: Record<string, string>) => void;
  close(): Promise<void>;
}

const API_PREFIX = '/api';
const EXTERNAL_APP_HEADER = 'X-Clockodo-External-Application';
const EXTERNAL_APP_MAX_LENGTH = 50;

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const config = resolveOptions(options);
  const faults = new FaultQueue();
  if (options.randomFaults) faults.setRandom(options.randomFaults);
  const timers = new Set<NodeJS.Timeout>();
  const requestLog: RequestLogEntry[] = [];
  const webhooks = new WebhookSender(options.webhooks);
  // `running` is built before listening so the handler always reads its current dataset.
  const running = { dataset: options.dataset, requestLog, webhooks } as RunningApiServer;
  const serving = { requests: 0, servingMs: 0 };
  const stats = (): ServingStats => {
    const cpu = process.cpuUsage();
    return { ...serving, cpuMs: (cpu.user + cpu.system) / 1000 };
  };

  const listener: RequestListener = (req, res) => {
    const receivedAt = Date.now();
    const serve = (): void => handle(req, res, receivedAt);
    if (config.latencyMs <= 0) return serve();
    const timer = setTimeout(() => {
      timers.delete(timer);
      serve();
    }, config.latencyMs);
    timers.add(timer);
  };
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createServer(listener);

  function handle(req: IncomingMessage, res: ServerResponse, receivedAt: number): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    if (config.allowControl && pathname.startsWith(CONTROL_PREFIX)) {
      handleControl(req, res, pathname, {
        faults,
        requestLog,
        dataset: running.dataset,
        stats,
        webhooks,
      }).catch((err: unknown) => {
        sendJson(res, 500, errorBody(err instanceof Error ? err.message : 'control error'));
      });
      return;
    }
    const path = pathname.startsWith(`${API_PREFIX}/`) ? pathname.slice(API_PREFIX.length) : pathname;
    const query = queryOf(url.searchParams);
    if (pathname.startsWith(`${API_PREFIX}/`) && isWrite(req.method, path)) {
      // No injected faults here: they stand for a flaky read API, and a test's counted faults must land
      // on the reads it set them for.
      void serveWrite(req, res, path, query, receivedAt);
      return;
    }
    req.resume(); // GET bodies are ignored; drain so keep-alive connections stay usable
    const respond = (status: number, text: string, headers: Record<string, string> = {}): void => {
      requestLog.push({ method: req.method ?? 'GET', path, query, status, at: receivedAt });
      sendRaw(res, status, text, headers);
    };
    const normal = (): Answer => answer(req, pathname, path, query);
    const fault = faults.take(path, query);
    if (fault) {
      const entry: RequestLogEntry = {
        method: req.method ?? 'GET',
        path,
        query,
        status: 0,
        at: receivedAt,
        fault: faultName(fault),
      };
      requestLog.push(entry);
      const hold = (timer: NodeJS.Timeout) => {
        timers.add(timer);
        return () => {
          clearTimeout(timer);
          timers.delete(timer);
        };
      };
      // The status sent (0: none), for the log: a reset or a stall still shows there as a request.
      entry.status = answerWithFault(req, res, fault, normal, hold);
      return;
    }
    const started = performance.now();
    const { status, text, headers } = normal();
    respond(status, text, headers);
    serving.requests++;
    serving.servingMs += performance.now() - started;
  }

  /** A write: answered once its body is read, then logged and counted like a read. */
  async function serveWrite(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: Record<string, string>,
    receivedAt: number,
  ): Promise<void> {
    const started = performance.now();
    const { status, text, headers } = await write(req, path);
    requestLog.push({ method: req.method ?? 'POST', path, query, status, at: receivedAt });
    sendRaw(res, status, text, headers);
    serving.requests++;
    serving.servingMs += performance.now() - started;
  }

  /** Applies a write to the dataset and queues its webhook (never waited for); the answer to send. */
  async function write(req: IncomingMessage, path: string): Promise<Answer> {
    const denied = accessDenied(req);
    if (denied) {
      req.resume();
      return denied;
    }
    try {
      const body = bodyObject(await readBody(req));
      const dataset = running.dataset;
      const nowMs = Date.now();
      if (req.method === 'POST') {
        const entry = addEntry(dataset, body, nowMs);
        webhooks.send('entry.created', rendered('entries', entry));
        return { status: 200, text: JSON.stringify({ entry: rendered('entries', entry) }) };
      }
      const id = entryItemId(path) as number; // isWrite let only /v2/entries/{id} through
      if (req.method === 'PUT') {
        const entry = editEntry(dataset, id, body, nowMs);
        webhooks.send('entry.updated', rendered('entries', entry));
        return { status: 200, text: JSON.stringify({ entry: rendered('entries', entry) }) };
      }
      const removed = deleteEntry(dataset, id);
      webhooks.send('entry.deleted', rendered('entries', removed));
      return { status: 200, text: JSON.stringify({ success: true }) };
    } catch (err) {
      if (err instanceof ApiError) return fail(err.status, err.message, err.fields);
      return fail(500, 'Internal server error');
    }
  }

  /** 401 without the account's credentials, 400 without X-Clockodo-External-Application; else undefined. */
  function accessDenied(req: IncomingMessage): Answer | undefined {
    // The message is fixed: it never echoes the user or key that was sent.
    if (!isAuthenticated(req.headers, options.credentials)) return fail(401, 'Authentication failed');
    const app = req.headers[EXTERNAL_APP_HEADER.toLowerCase()];
    const appName = Array.isArray(app) ? app[0] : app;
    if (!appName || appName.trim() === '' || [...appName].length > EXTERNAL_APP_MAX_LENGTH) {
      return fail(400, `Header ${EXTERNAL_APP_HEADER} is required (at most 50 characters)`, [
        EXTERNAL_APP_HEADER,
      ]);
    }
    return undefined;
  }

  /** The API's answer to a request, as status, body and headers. */
  function answer(
    req: IncomingMessage,
    pathname: string,
    path: string,
    query: Record<string, string>,
  ): Answer {
    const methods = pathname.startsWith(`${API_PREFIX}/`) ? methodsOf(path) : undefined;
    if (!methods) return fail(404, 'Not found');
    if (req.method !== 'GET')
      return fail(405, 'Method not allowed', undefined, { Allow: methods.join(', ') });
    const denied = accessDenied(req);
    if (denied) return denied;
    const handler = ENDPOINTS[path] ?? entryHandler(entryItemId(path) as number);
    try {
      running.beforeServe?.(path, query);
      const ctx: EndpointContext = {
        dataset: running.dataset,
        limits: config,
        workTimesUntil: config.workTimesUntil,
      };
      return { status: 200, text: JSON.stringify(handler(query, ctx)) };
    } catch (err) {
      if (err instanceof ApiError) return fail(err.status, err.message, err.fields);
      return fail(500, 'Internal server error');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, host: config.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  Object.assign(running, {
    url: `${options.tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}${API_PREFIX}`,
    port,
    injectFault: (fault: Fault) => faults.add(fault),
    setRandomFaults: (random: RandomFaults | undefined) => faults.setRandom(random),
    clearFaults: () => faults.clear(),
    faultCounts: () => ({ ...faults.injected }),
    stats,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        timers.forEach((t) => clearTimeout(t));
        timers.clear();
        // Webhooks still queued are dropped (and counted): a closed server sends nothing more.
        const stopped = webhooks.close();
        server.close((err) => {
          if (err) reject(err);
          else void stopped.then(resolve, reject);
        });
        // fetch keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      })),
  });
  return running;
}

function fail(status: number, message: string, fields?: string[], headers?: Record<string, string>): Answer {
  return { status, text: JSON.stringify(errorBody(message, fields)), headers };
}

/** The methods a path answers; undefined for a path the API does not have (404). */
function methodsOf(path: string): string[] | undefined {
  if (path === ENTRIES_PATH) return ['GET', 'POST'];
  if (ENDPOINTS[path]) return ['GET'];
  if (entryItemId(path) !== undefined) return ['GET', 'PUT', 'DELETE'];
  return undefined;
}

/** Whether a request is one of the entry writes (any other method on these paths is a read or a 405). */
function isWrite(method: string | undefined, path: string): boolean {
  if (method === 'POST') return path === ENTRIES_PATH;
  if (method === 'PUT' || method === 'DELETE') return entryItemId(path) !== undefined;
  return false;
}

/** GET /v2/entries/{id} (the SDK's getEntry): `{"entry": {...}}`. */
function entryHandler(id: number): Handler {
  return (_query, ctx) => ({ entry: rendered('entries', getEntry(ctx.dataset, id)) });
}

function resolveOptions(options: ApiServerOptions): {
  host: string;
  port: number;
  maxItemsPerPage: number;
  defaultItemsPerPage: number;
  latencyMs: number;
  workTimesUntil: WorkTimesUntil;
  allowControl: boolean;
} {
  const config = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    maxItemsPerPage: options.maxItemsPerPage ?? 1000,
    defaultItemsPerPage: options.defaultItemsPerPage ?? 1000,
    latencyMs: options.latencyMs ?? 0,
    workTimesUntil: options.workTimesUntil ?? 'inclusive',
    allowControl: options.allowControl ?? false,
  };
  if (!Number.isInteger(config.maxItemsPerPage) || config.maxItemsPerPage < 1) {
    throw new Error('maxItemsPerPage must be a positive integer');
  }
  if (!Number.isInteger(config.defaultItemsPerPage) || config.defaultItemsPerPage < 1) {
    throw new Error('defaultItemsPerPage must be a positive integer');
  }
  if (!(config.latencyMs >= 0)) throw new Error('latencyMs must be >= 0');
  if (!['inclusive', 'exclusive'].includes(config.workTimesUntil)) {
    throw new Error("workTimesUntil must be 'inclusive' or 'exclusive'");
  }
  if (!options.credentials?.email || !options.credentials?.apiKey)
    throw new Error('credentials are required');
  return config;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
