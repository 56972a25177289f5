// Creating, changing and deleting records of the Dataset's id-keyed lists, for the write routes and the
// control route /__control/edit. Lists stay in id order (the routes rely on it to skip sorting), records
// are replaced rather than patched (the entries index in endpoints.ts notices replaced references), and a
// deleted record's id is never handed out again.
import { entityOfResource } from '../domain/webhook-events';
import { ApiError } from './http-util';
import { renderAs, SERVED, ServedPath } from './served';
import { formatDate, formatDateTime } from './time';
import { Dataset } from './types';

export type EditOp = 'create' | 'update' | 'delete';
const OPS: readonly EditOp[] = ['create', 'update', 'delete'];
const ACTION: Record<EditOp, string> = { create: 'created', update: 'updated', delete: 'deleted' };

type IdRecord = { id: number } & Record<string, unknown>;

/** Fields stamped with the server's clock when a record is created ('date': a date, else a datetime). */
const INSERT_STAMPS: Record<string, 'datetime' | 'date'> = {
  time_insert: 'datetime',
  time_last_change: 'datetime',
  created_at: 'datetime',
  added_at: 'date',
};
/** Fields stamped when a record changes. */
const CHANGE_STAMPS: Record<string, 'datetime' | 'date'> = { time_last_change: 'datetime' };

/** The highest id each list has handed out, so that deleting the last record does not free its id. */
const issued = new WeakMap<object[], number>();

/**
 * The Dataset list `resource` names when it is an array of records with an id (customers, entries, ...);
 * undefined for any other name (the per-year lists, work_times, unknown names).
 */
export function idList(dataset: Dataset, resource: string): IdRecord[] | undefined {
  if (!Object.prototype.hasOwnProperty.call(dataset, resource) || resource === 'work_times') return undefined;
  const list: unknown = (dataset as unknown as Record<string, unknown>)[resource];
  if (!Array.isArray(list)) return undefined;
  const records = list as unknown[];
  // An empty list has no record to tell: every array but work_times (keyed by date and user) has ids.
  const sample = records[0] as { id?: unknown } | undefined;
  if (sample !== undefined && typeof sample.id !== 'number') return undefined;
  return records as IdRecord[];
}

/** A new id, larger than every id the list holds or ever handed out. */
export function nextId(list: { id: number }[]): number {
  let max = issued.get(list) ?? 0;
  for (const r of list) if (r.id > max) max = r.id;
  issued.set(list, max + 1);
  return max + 1;
}

/** Position of the record with this id, or -1. */
export function indexOfId(list: { id: number }[], id: number): number {
  return list.findIndex((r) => r.id === id);
}

/** Adds a record whose id comes from nextId: the largest, so appending keeps the list in id order. */
export function appendNew<T extends { id: number }>(list: T[], record: T): void {
  list.push(record);
}

/** `record` with its change-time fields (those it has) set to `nowMs`. */
export function stamped<T extends object>(record: T, nowMs: number, op: 'create' | 'update'): T {
  const stamps = op === 'create' ? INSERT_STAMPS : CHANGE_STAMPS;
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const [field, kind] of Object.entries(stamps)) {
    if (field in out) out[field] = kind === 'date' ? formatDate(nowMs) : formatDateTime(nowMs);
  }
  return out as T;
}

/** The route of today's family (the SDK's) that serves `resource`, else any route that does. */
function routeOf(resource: string): ServedPath | undefined {
  const paths = (Object.keys(SERVED) as ServedPath[]).filter((p) => SERVED[p].list === resource);
  return paths.find((p) => SERVED[p].key === 'data') ?? paths[0];
}

/** A record as the API sends it (on the SDK's route where the two families differ), for a webhook's data. */
export function rendered(resource: string, record: object): object {
  const path = routeOf(resource);
  return path ? renderAs(path, [record as never])[0] : record;
}

/** `<entity>.<created|updated|deleted>` for a resource's records; undefined when Clockodo sends none. */
export function eventName(resource: string, op: EditOp): string | undefined {
  const entity = entityOfResource(resource);
  return entity === undefined ? undefined : `${entity}.${ACTION[op]}`;
}

export interface EditRequest {
  resource: string;
  op: EditOp;
  id?: number;
  changes?: Record<string, unknown>;
}

export interface EditResult {
  id: number;
  /** The record after the change; for a delete, as it was. */
  record: object;
  /** The webhook to send, when the resource has one. */
  event?: string;
}

/** Reads `{resource, op, id?, changes?}`; a 400 ApiError naming the field when it is not one. */
export function parseEditRequest(dataset: Dataset, body: unknown): EditRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'Body must be a JSON object');
  }
  const { resource, op, id, changes } = body as Record<string, unknown>;
  if (typeof resource !== 'string' || !idList(dataset, resource)) {
    throw new ApiError(400, `resource must name a list of records with an id: ${JSON.stringify(resource)}`, [
      'resource',
    ]);
  }
  if (!OPS.includes(op as EditOp)) {
    throw new ApiError(400, `op must be one of ${OPS.join(', ')}`, ['op']);
  }
  if (op !== 'create' && !(Number.isSafeInteger(id) && (id as number) > 0)) {
    throw new ApiError(400, `id is required for ${String(op)} (a positive integer)`, ['id']);
  }
  if (changes !== undefined && (typeof changes !== 'object' || changes === null || Array.isArray(changes))) {
    throw new ApiError(400, 'changes must be an object', ['changes']);
  }
  const asChanges = changes as Record<string, unknown> | undefined;
  if (asChanges && 'id' in asChanges && (op === 'create' || asChanges.id !== id)) {
    throw new ApiError(400, 'changes cannot set the id', ['changes']);
  }
  return { resource, op: op as EditOp, id: id as number | undefined, changes: asChanges };
}

/**
 * Applies a control edit as is (no validation of the fields: tests plant odd records on purpose). A
 * create copies the list's last record as a template, merged with the changes, under a new id.
 */
export function applyEdit(dataset: Dataset, request: EditRequest, nowMs: number): EditResult {
  const list = idList(dataset, request.resource) as IdRecord[];
  const changes = request.changes ?? {};
  const event = eventName(request.resource, request.op);
  const render = (r: object): object => rendered(request.resource, r);
  if (request.op === 'create') {
    const template = list.length > 0 ? list[list.length - 1] : {};
    const id = nextId(list);
    // Explicit changes win over the stamps: a test may plant a given time_last_change.
    const record = { ...stamped({ ...template, id }, nowMs, 'create'), ...changes, id } as IdRecord;
    appendNew(list, record);
    return { id, record: render(record), event };
  }
  const id = request.id as number;
  const at = indexOfId(list, id);
  if (at < 0) throw new ApiError(404, `${request.resource} ${id} not found`);
  if (request.op === 'delete') {
    const [removed] = list.splice(at, 1);
    return { id, record: render(removed), event };
  }
  const record = { ...stamped(list[at], nowMs, 'update'), ...changes, id } as IdRecord;
  list[at] = record;
  return { id, record: render(record), event };
}
