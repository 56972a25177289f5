// Optional control routes (API_SERVER_ALLOW_CONTROL=1) so that tests running the server in another
// process can inject faults (counted, or random at a seeded rate per kind), read the request log, and
// edit any resource's records (each edit sends its webhook, as Clockodo would). Not part of the Clockodo API.
import { IncomingMessage, ServerResponse } from 'http';
import {
  Fault,
  FaultName,
  FaultQueue,
  NAMED_FAULTS,
  namedFault,
  validateFault,
  validateRandomFaults,
} from './faults';
import { changeRecentEntries } from './edits';
import { byDateAndUser } from './gen-reports';
import { ApiError, errorBody, readBody, sendJson } from './http-util';
import { applyEdit, parseEditRequest, rendered } from './record-edits';
import { Dataset } from './types';
import { WebhookSender } from './webhooks';

export const CONTROL_PREFIX = '/__control/';

export interface ControlTarget {
  faults: FaultQueue;
  requestLog: unknown[];
  dataset: Dataset;
  stats: () => ServingStats;
  webhooks: WebhookSender;
}

/** What serving the API cost this process since it started (benchmarks read it before and after). */
export interface ServingStats {
  /** API requests answered (control routes not counted). */
  requests: number;
  /** Time spent building and sending the answers, summed over requests. */
  servingMs: number;
  /** The process's CPU time (user + system): what the server cost, whatever it waited on. */
  cpuMs: number;
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  target: ControlTarget,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${path}`;
  if (route === 'POST /__control/faults') {
    let faults: Fault[];
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      const list = (Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]).map(expandNamed);
      list.forEach((f) => validateFault(f));
      faults = list as Fault[];
    } catch (err) {
      sendJson(res, 400, errorBody(err instanceof Error ? err.message : 'invalid fault'));
      return;
    }
    faults.forEach((f) => target.faults.add(f));
    sendJson(res, 200, { ok: true, added: faults.length });
  } else if (route === 'DELETE /__control/faults') {
    target.faults.clear();
    sendJson(res, 200, { ok: true });
  } else if (route === 'GET /__control/faults') {
    sendJson(res, 200, { pending: target.faults.pending, injected: target.faults.injected });
  } else if (route === 'PUT /__control/random-faults') {
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      validateRandomFaults(parsed);
      target.faults.setRandom(parsed);
    } catch (err) {
      sendJson(res, 400, errorBody(err instanceof Error ? err.message : 'invalid random faults'));
      return;
    }
    sendJson(res, 200, { ok: true });
  } else if (route === 'DELETE /__control/random-faults') {
    target.faults.setRandom(undefined);
    sendJson(res, 200, { ok: true });
  } else if (route === 'GET /__control/records') {
    // A slice of a resource's records in its list order, for checking what a client loaded (benchmarks).
    const params = new URL(req.url ?? '', 'http://localhost').searchParams;
    const list = recordsOf(target.dataset, params.get('resource') ?? '');
    if (!list) {
      sendJson(res, 404, errorBody(`no resource ${JSON.stringify(params.get('resource'))}`));
      return;
    }
    const offset = Number(params.get('offset') ?? 0);
    const limit = Number(params.get('limit') ?? list.length);
    sendJson(res, 200, { total: list.length, records: list.slice(offset, offset + limit) });
  } else if (route === 'GET /__control/stats') {
    sendJson(res, 200, target.stats());
  } else if (route === 'POST /__control/change-entries') {
    let count: number;
    try {
      count = (JSON.parse(await readBody(req)) as { count?: unknown }).count as number;
      if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
    } catch (err) {
      sendJson(res, 400, errorBody(err instanceof Error ? err.message : 'invalid body'));
      return;
    }
    const ids = changeRecentEntries(target.dataset, count, Date.now());
    if (target.webhooks.enabled) {
      const changed = new Set(ids);
      for (const e of target.dataset.entries) {
        if (changed.has(e.id)) target.webhooks.send('entry.updated', rendered('entries', e));
      }
    }
    sendJson(res, 200, { ok: true, changed: ids.length, ids });
  } else if (route === 'POST /__control/edit') {
    // {resource, op: create|update|delete, id?, changes?} on any list of records with an id.
    let result: ReturnType<typeof applyEdit>;
    try {
      const body: unknown = JSON.parse(await readBody(req));
      result = applyEdit(target.dataset, parseEditRequest(target.dataset, body), Date.now());
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 400;
      const fields = err instanceof ApiError ? err.fields : undefined;
      sendJson(res, status, errorBody(err instanceof Error ? err.message : 'invalid body', fields));
      return;
    }
    if (result.event) target.webhooks.send(result.event, result.record);
    sendJson(res, 200, { ok: true, id: result.id, record: result.record });
  } else if (route === 'GET /__control/webhooks') {
    // The sender's counters, for a server in another process (in process: RunningApiServer.webhooks).
    sendJson(res, 200, { destinations: target.webhooks.destinations, ...target.webhooks.counters() });
  } else if (route === 'GET /__control/requests') {
    sendJson(res, 200, { requests: target.requestLog });
  } else if (route === 'DELETE /__control/requests') {
    target.requestLog.length = 0; // same array: holders of the reference see the reset
    sendJson(res, 200, { ok: true });
  } else {
    req.resume();
    sendJson(res, 404, errorBody('Unknown control route'));
  }
}

/**
 * Every record of a Dataset list, by its table name, as the Dataset holds it (not as one route renders it):
 * records with an id in id order; work_times by (date, users_id); the lists kept per year flattened, each
 * record with its year added (as the client stores them): user_reports by (users_id, year),
 * nonbusiness_days by (id, year). Undefined for a name that is no resource.
 */
export function recordsOf(dataset: Dataset, resource: string): object[] | undefined {
  if (!Object.prototype.hasOwnProperty.call(dataset, resource)) return undefined;
  if (resource === 'user_reports') {
    const rows = withYear(dataset.user_reports);
    return rows.sort((a, b) => a.users_id - b.users_id || a.year - b.year);
  }
  if (resource === 'nonbusiness_days') {
    return withYear(dataset.nonbusiness_days).sort((a, b) => a.id - b.id || a.year - b.year);
  }
  if (resource === 'work_times') return inOrder(dataset.work_times, byDateAndUser);
  const list = (dataset as unknown as Record<string, unknown>)[resource];
  if (!Array.isArray(list)) return undefined;
  return inOrder(list as { id: number }[], (a, b) => a.id - b.id);
}

/** The records of every year in one list, each with its year. */
function withYear<T extends object>(byYear: Record<string, T[]>): (T & { year: number })[] {
  return Object.entries(byYear).flatMap(([year, rows]) => rows.map((r) => ({ ...r, year: Number(year) })));
}

/** `list` itself when already in order (no copy), else a sorted copy. */
function inOrder<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  return list.every((r, i) => i === 0 || compare(list[i - 1], r) < 0) ? list : [...list].sort(compare);
}

function isFaultName(name: unknown): name is FaultName {
  return NAMED_FAULTS.includes(name as FaultName);
}

/** `{"name": "429-retry-after-date", "times": 2, ...}` is that named fault, as random mode would inject it. */
function expandNamed(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('name' in value)) return value;
  const { name, ...rest } = value;
  if (!isFaultName(name)) throw new Error(`unknown fault name: ${String(name)}`);
  // The rest (times, pathPrefix, ...) is validated with the fault it makes.
  return { ...namedFault(name), ...rest };
}
