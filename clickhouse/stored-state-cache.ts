// The stored state of a read's records, loaded once per read (one scan of its window, or of the table
// for a list or a year) instead of once per page: ids are not ordered like start times, so a lookup of
// one page's ids reads nearly every granule of the table.
//
// It is a cache in this worker only; what it misses costs a write, never a wrong one:
// - a record stored outside the scope (it moved from another window) is not in it: the record has
//   changed, so it is written, with a version above the stored one's (observations are later);
// - rows written after the load are added to it as they are written (a retried page on this worker
//   finds its rows); another worker loads its own.
import type { ClickHouseClient } from '@clickhouse/client';
import type { ResourceConfig } from '../domain/source-config';
import type { ReadTarget } from '../domain/types';
import { windowScope } from '../domain/windows';
import { scopeCondition } from './deletions';
import type { StoredState } from './merge-order';
import { StateTable } from './state-table';
import type { Row } from './row-mapping';
import { ident, qualified } from './sql';

/** Reads whose states are kept at once (a worker runs a few reads in parallel). */
const MAX_READS = 16;
/** A read's states go after this long unused (its read ended, or moved to another worker). */
const IDLE_MS = 10 * 60_000;
/** A scope with more stored rows than this is looked up page by page (memory stays bounded). */
export const MAX_CACHED_ROWS = 300_000;
/**
 * States kept for all reads together (about 60 bytes each in a StateTable: 18 MB). Ended reads stay
 * until IDLE_MS otherwise, and at 1,000,000 entries 16 ended windows of 50,000 filled the worker's heap.
 */
export const MAX_TOTAL_ROWS = MAX_CACHED_ROWS;
/** A read used this recently is still going: it is not evicted for the total (it would load again). */
export const ACTIVE_MS = 30_000;

interface Cached {
  /** The scope's states; null when the scope is too large to keep (looked up per page then). */
  load: Promise<StateTable | null>;
  /** The states once loaded, to count them. */
  states?: StateTable | null;
  /** The most states it keeps (MAX_CACHED_ROWS unless a test says otherwise). */
  max: number;
  usedAt: number;
}

/** By database, resource and read id; in order of last use (the first is the least recently used). */
const cache = new Map<string, Cached>();

/**
 * The reads to drop, least recently used first: those idle past IDLE_MS, those beyond MAX_READS,
 * then idle ones (unused for ACTIVE_MS) until the rest hold at most `maxRows` states. `reads` is in
 * order of last use, as the cache keeps them.
 */
export function readsToEvict(
  reads: { key: string; usedAt: number; rows: number }[],
  now: number,
  maxRows = MAX_TOTAL_ROWS,
): string[] {
  const out: string[] = [];
  const kept = reads.filter((r) => {
    if (now - r.usedAt <= IDLE_MS) return true;
    out.push(r.key);
    return false;
  });
  while (kept.length > MAX_READS) out.push(kept.shift()!.key);
  let total = kept.reduce((n, r) => n + r.rows, 0);
  for (const r of kept) {
    if (total <= maxRows || now - r.usedAt < ACTIVE_MS) break;
    out.push(r.key);
    total -= r.rows;
  }
  return out;
}

function evict(now: number): void {
  const reads = [...cache].map(([key, c]) => ({ key, usedAt: c.usedAt, rows: c.states?.size ?? 0 }));
  for (const key of readsToEvict(reads, now)) cache.delete(key);
}

const keyOf = (db: string, resource: string, readId: string) => `${db}\u0000${resource}\u0000${readId}`;

const selectStates = (db: string, resource: ResourceConfig, cursorColumn: string | undefined) => {
  const pk = ident(resource.key_column);
  const changedAt = cursorColumn ? `toUInt32(${ident(cursorColumn)})` : 'NULL';
  return (
    `SELECT ${pk} AS id, _hash AS hash, _is_deleted AS deleted, _version AS version, ${changedAt} AS changed_at ` +
    `FROM ${qualified(db, resource.name)} FINAL`
  );
};

/** The condition that limits a read's scope: its window of the window column (as deletions scope it), or the whole table. */
function readScope(resource: ResourceConfig, target: ReadTarget): string {
  const inc = resource.endpoint.incremental_sync;
  if (!target.window || !inc) return '1';
  return scopeCondition(windowScope(inc, [target.window]));
}

type StateRow = { id: number; hash: number; deleted: number; version: number; changed_at: number | null };
const toState = (r: StateRow): StoredState => ({
  id: Number(r.id),
  hash: Number(r.hash),
  deleted: Number(r.deleted) === 1,
  version: Number(r.version),
  changedAt: r.changed_at === null ? null : Number(r.changed_at),
});

async function query(ch: ClickHouseClient, sql: string): Promise<StoredState[]> {
  const rs = await ch.query({ query: sql, format: 'JSONEachRow' });
  return (await rs.json<StateRow>()).map(toState);
}

/** A scope's states, read row by row into a table (never all as objects at once); null past `max`. */
async function loadTable(ch: ClickHouseClient, sql: string, max: number): Promise<StateTable | null> {
  const rs = await ch.query({ query: `${sql} LIMIT ${max + 1}`, format: 'JSONEachRow' });
  const table = new StateTable();
  // Leaving the loop early destroys the stream: the rest of the answer is not read.
  for await (const rows of rs.stream<StateRow>()) {
    for (const row of rows) table.set(toState(row.json()));
    if (table.size > max) return null;
  }
  return table;
}

export interface StateRequest {
  ch: ClickHouseClient;
  db: string;
  resource: ResourceConfig;
  cursorColumn: string | undefined;
  readId: string;
  target: ReadTarget;
  ids: number[];
  /** MAX_CACHED_ROWS unless given (tests). */
  maxCachedRows?: number;
}

/** The stored state of the given ids (newest row of each, deletion markers included). */
export async function storedStates(req: StateRequest): Promise<Map<number, StoredState>> {
  const { ch, db, resource, cursorColumn, ids } = req;
  const found = new Map<number, StoredState>();
  if (ids.length === 0) return found;
  const key = keyOf(db, resource.name, req.readId);
  const now = Date.now();
  let cached = cache.get(key);
  if (cached) {
    cache.delete(key); // re-inserted below: last used now
  } else {
    evict(now);
    const max = req.maxCachedRows ?? MAX_CACHED_ROWS;
    const load = loadTable(
      ch,
      `${selectStates(db, resource, cursorColumn)} WHERE ${readScope(resource, req.target)}`,
      max,
    );
    const entry: Cached = { load, max, usedAt: now };
    void load.then(
      (states) => (entry.states = states),
      () => undefined,
    );
    cached = entry;
    // A failed load is not kept: the next page (or the retry) loads again.
    load.catch(() => cache.delete(key));
  }
  cached.usedAt = now;
  cache.set(key, cached);
  const states = await cached.load;
  if (states === null) {
    const pk = ident(resource.key_column);
    const sql = `${selectStates(db, resource, cursorColumn)} WHERE ${pk} IN (${ids.join(',')})`;
    for (const s of await query(ch, sql)) found.set(s.id, s);
    return found;
  }
  for (const id of ids) {
    const s = states.get(id);
    if (s) found.set(id, s);
  }
  return found;
}

/** Records rows this worker wrote for a read, so that its later pages and retries see them. */
export async function rememberWritten(
  req: Pick<StateRequest, 'db' | 'resource' | 'readId' | 'cursorColumn'>,
  rows: Row[],
): Promise<void> {
  const cached = cache.get(keyOf(req.db, req.resource.name, req.readId));
  const states = cached ? await cached.load.catch(() => null) : null;
  if (!states) return;
  const pk = req.resource.key_column;
  for (const row of rows) {
    const changedAt = req.cursorColumn ? (row[req.cursorColumn] as number | null) : null;
    states.set({
      id: row[pk] as number,
      hash: row._hash as number,
      deleted: row._is_deleted === 1,
      version: row._version as number,
      changedAt: changedAt ?? null,
    });
  }
  // Past the bound a load keeps to, the read is looked up page by page like one too large to load.
  if (cached && states.size > cached.max) {
    cached.load = Promise.resolve(null);
    cached.states = null;
  }
}
