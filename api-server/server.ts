// A local HTTP server speaking the Clockodo contract: every list resource, on the docs-era routes and on
// today's (endpoints.ts; served.ts says how each route renders its records).
// Order of checks per request: injected fault, route (404), method (405), auth (401),
// X-Clockodo-External-Application (400), then parameters (400).
import { createServer, IncomingMessage, RequestListener, ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import { AddressInfo } from 'net';
import { ApiCredentials, isAuthenticated } from './auth';
import { CONTROL_PREFIX, handleControl, ServingStats } from './control';
import { ENDPOINTS, EndpointContext, WorkTimesUntil } from './endpoints';
import { Answer, answerWithFault, Fault, FaultQueue, faultName, RandomFaults } from './faults';
import { ApiError, errorBody, sendJson, sendRaw } from './http-util';
import { queryOf } from './params';
import { Dataset } from './types';

export type { ApiCredentials } from './auth';
export type { Fault, FaultKind, FaultName, RandomFaults } from './faults';

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
  // `running` is built before listening so the handler always reads its current dataset.
  const running = { dataset: options.dataset, requestLog } as RunningApiServer;
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
      handleControl(req, res, pathname, { faults, requestLog, dataset: running.dataset, stats }).catch(
        (err: unknown) => {
          sendJson(res, 500, errorBody(err instanceof Error ? err.message : 'control error'));
        },
      );
      return;
    }
    req.resume(); // GET bodies are ignored; drain so keep-alive connections stay usable
    const path = pathname.startsWith(`${API_PREFIX}/`) ? pathname.slice(API_PREFIX.length) : pathname;
    const query = queryOf(url.searchParams);
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

  /** The API's answer to a request, as status, body and headers. */
  function answer(
    req: IncomingMessage,
    pathname: string,
    path: string,
    query: Record<string, string>,
  ): Answer {
    const fail = (status: number, message: string, fields?: string[], headers?: Record<string, string>) => ({
      status,
      text: JSON.stringify(errorBody(message, fields)),
      headers,
    });
    const handler = pathname.startsWith(`${API_PREFIX}/`) ? ENDPOINTS[path] : undefined;
    if (!handler) return fail(404, 'Not found');
    if (req.method !== 'GET') return fail(405, 'Method not allowed', undefined, { Allow: 'GET' });
    // The message is fixed: it never echoes the user or key that was sent.
    if (!isAuthenticated(req.headers, options.credentials)) return fail(401, 'Authentication failed');
    const app = req.headers[EXTERNAL_APP_HEADER.toLowerCase()];
    const appName = Array.isArray(app) ? app[0] : app;
    if (!appName || appName.trim() === '' || [...appName].length > EXTERNAL_APP_MAX_LENGTH) {
      return fail(400, `Header ${EXTERNAL_APP_HEADER} is required (at most 50 characters)`, [
        EXTERNAL_APP_HEADER,
      ]);
    }
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
        server.close((err) => (err ? reject(err) : resolve()));
        // fetch keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      })),
  });
  return running;
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
