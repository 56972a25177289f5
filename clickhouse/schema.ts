// Tables and views for the configured resources. The DDL runs on ClickHouse 18.16 and on current
// servers alike: ReplacingMergeTree(_version) ORDER BY the primary key, ordinary columns only.
import type { ClickHouseClient } from '@clickhouse/client';
import type { ColumnKind, ColumnSpec, ResourceConfig } from '../domain/source-config';
import { COMPOSITE_KEY_COLUMN } from '../domain/record-key';
import { BOOKKEEPING_COLUMNS } from './bookkeeping';
import { Cluster, engineSql, onCluster } from './placement';
import { readCatalogue } from './catalog-read';
import { ident, qualified, sqlString } from './sql';
import {
  currentViewName,
  QUARANTINE_TABLE,
  rebuildTableName,
  replacedTableName,
} from '../domain/table-names';

const CLICKHOUSE_TYPES: Record<ColumnKind, string> = {
  int: 'Int64',
  float: 'Float64',
  string: 'String',
  bool: 'UInt8',
  date: 'Date',
  datetime: "DateTime('UTC')",
};

export function columnType(spec: ColumnSpec, isPrimaryKey = false): string {
  if (isPrimaryKey) return 'UInt64';
  const base = CLICKHOUSE_TYPES[spec.kind];
  const value = spec.nullable ? `Nullable(${base})` : base;
  // A list's values (a nested list's, one per element): an Array, empty when the record has none.
  return spec.array || spec.nested?.via === 'list' ? `Array(${value})` : value;
}

/**
 * Every column of a resource's table, in order: a composite key's hash, typed API fields, bookkeeping.
 * `_run_id` (and `run_id` in sync_runs and the state tables) holds the sync's id, `syncId` in the code:
 * the workflow id of the sync run that wrote the row, not Temporal's run id. The columns keep their
 * first names because users' queries name them.
 */
export function tableColumns(resource: ResourceConfig): [string, string][] {
  const typed = Object.entries(resource.columns).map(([name, spec]): [string, string] => [
    name,
    columnType(spec, name === resource.key_column),
  ]);
  const key: [string, string][] =
    resource.key_column === COMPOSITE_KEY_COLUMN ? [[COMPOSITE_KEY_COLUMN, 'UInt64']] : [];
  return [...key, ...typed, ...Object.entries(BOOKKEEPING_COLUMNS)];
}

export { currentViewName, QUARANTINE_TABLE, rebuildTableName, replacedTableName };

/** The table (by default the resource's own; a rebuild creates its new table under another name). */
export function createTableSql(
  db: string,
  resource: ResourceConfig,
  cluster?: Cluster,
  table = resource.name,
): string {
  const cols = tableColumns(resource).map(([n, t]) => `  ${ident(n)} ${t}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(db, table)}${onCluster(cluster)} (`,
    cols.join(',\n'),
    `) ${engineSql(cluster, db, table, 'ReplacingMergeTree', '_version')} ORDER BY ${ident(resource.key_column)}`,
  ].join('\n');
}

/** One row per record, the newest, without the ones marked deleted (under another name while swapped). */
export function createCurrentViewSql(
  db: string,
  resource: ResourceConfig,
  cluster?: Cluster,
  view = currentViewName(resource),
): string {
  return (
    `CREATE VIEW IF NOT EXISTS ${qualified(db, view)}${onCluster(cluster)} AS ` +
    `SELECT * FROM ${qualified(db, resource.name)} FINAL WHERE _is_deleted = 0`
  );
}

/** Records whose shape could not be stored at all (no usable primary key): kept here, not dropped. */
export function createQuarantineSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(db, QUARANTINE_TABLE)}${onCluster(cluster)} (`,
    '  resource String, reason String, raw String, raw_hash UInt64,',
    "  _run_id String, _synced_at DateTime('UTC'), _version UInt64",
    `) ${engineSql(cluster, db, QUARANTINE_TABLE, 'ReplacingMergeTree', '_version')} ORDER BY (resource, raw_hash)`,
  ].join('\n');
}

/** What a table is now: its columns with their types, and the key it is ordered (and merged) by. */
export interface StoredTable {
  columns: Map<string, string>;
  sortingKey: string;
}

/** The table as it is, or null when there is none. */
export async function storedTable(
  ch: ClickHouseClient,
  db: string,
  table: string,
): Promise<StoredTable | null> {
  const inDb = `database = ${sqlString(db)}`;
  const [[t], rows] = await Promise.all([
    readCatalogue<{ sorting_key: string }>(
      ch,
      `SELECT sorting_key FROM system.tables WHERE ${inDb} AND name = ${sqlString(table)}`,
    ),
    readCatalogue<{ name: string; type: string }>(
      ch,
      `SELECT name, type FROM system.columns WHERE ${inDb} AND table = ${sqlString(table)}`,
    ),
  ]);
  if (!t) return null;
  // 18.16 escapes the quotes in DateTime('UTC').
  return {
    columns: new Map(rows.map((r) => [r.name, r.type.replace(/\\'/g, "'")])),
    sortingKey: t.sorting_key,
  };
}

/**
 * Why a table cannot hold the resource as configured without being built anew: it is keyed by another
 * column, or a column has another type. Columns the configuration gained are not a reason: they are
 * added. Empty when the table fits.
 */
export function rebuildReasons(resource: ResourceConfig, stored: StoredTable): string[] {
  const reasons: string[] = [];
  const key = resource.key_column;
  if (stored.sortingKey.replace(/`/g, '') !== key) {
    reasons.push(`its key is ${stored.sortingKey}, the configuration's is ${describeKey(resource)}`);
  }
  for (const [name, type] of tableColumns(resource)) {
    const was = stored.columns.get(name);
    if (was !== undefined && was !== type) reasons.push(`column ${name} is ${was}, configured ${type}`);
  }
  return reasons;
}

/** The key as a reader knows it: the id field, or the fields hashed into _key. */
export function describeKey(resource: ResourceConfig): string {
  return resource.key_column === COMPOSITE_KEY_COLUMN
    ? `(${resource.primary_key.join(', ')}) in ${COMPOSITE_KEY_COLUMN}`
    : resource.key_column;
}

/**
 * Adds the columns a table lacks (18.16 has no ADD COLUMN IF NOT EXISTS, so system.columns is read
 * first). Returns their names.
 */
export async function addMissingColumns(
  ch: ClickHouseClient,
  db: string,
  table: string,
  columns: Record<string, string>,
  cluster?: Cluster,
  present?: Map<string, string>,
): Promise<string[]> {
  const stored = present ?? (await storedTable(ch, db, table))?.columns ?? new Map<string, string>();
  const added: string[] = [];
  for (const [name, type] of Object.entries(columns)) {
    if (stored.has(name)) continue;
    await ch.command({
      query: `ALTER TABLE ${qualified(db, table)}${onCluster(cluster)} ADD COLUMN ${ident(name)} ${type}`,
    });
    added.push(name);
  }
  return added;
}

/** Tables a rebuild of `table` left behind, with the stamp and role their names give. */
export async function rebuildLeftovers(
  ch: ClickHouseClient,
  db: string,
  table: string,
): Promise<{ name: string; stamp: number; role: 'rebuild' | 'replaced' }[]> {
  const names = await readCatalogue<{ name: string }>(
    ch,
    `SELECT name FROM system.tables WHERE database = ${sqlString(db)}`,
  );
  const pattern = new RegExp(`^${table}__(rebuild|replaced)_(\\d+)$`);
  return names.flatMap(({ name }) => {
    const m = pattern.exec(name);
    return m ? [{ name, stamp: Number(m[2]), role: m[1] as 'rebuild' | 'replaced' }] : [];
  });
}

export interface SchemaChange {
  table: string;
  /** Columns the configuration gained, added to the stored table (the run's summary notes them). */
  addedColumns: string[];
  /**
   * Why the table must be built anew before this configuration can write to it (another key, a column
   * of another type), or its stored rows mapped again from `_raw` (columns it gained): left as it is
   * here; the resource's own sync does it (table-rebuild.ts).
   */
  rebuild: string[];
}

/** The database and the tables every resource shares (quarantine); before any resource table. */
export async function ensureDatabase(ch: ClickHouseClient, db: string, cluster?: Cluster): Promise<void> {
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(db)}${onCluster(cluster)}` });
  await ch.command({ query: createQuarantineSql(db, cluster) });
}

/**
 * Creates the table and its view when missing; adds columns the configuration gained and then makes
 * the view anew (ensureCurrentView), or, when stored rows must be filled first, leaves that to the
 * resource's sync. Each step is one statement the release before can live with: it inserts its own
 * column set (added columns take their defaults) and reads the view it made. A table that needs
 * building anew is left alone (see SchemaChange.rebuild). Safe to run any number of times.
 */
export async function ensureResourceTable(
  ch: ClickHouseClient,
  db: string,
  resource: ResourceConfig,
  cluster?: Cluster,
): Promise<SchemaChange> {
  const stored = await storedTable(ch, db, resource.name);
  const change: SchemaChange = { table: resource.name, addedColumns: [], rebuild: [] };
  if (stored === null) {
    // A rebuild cut short between its renames: finishing it is the rebuild's own work, under the lock.
    if ((await rebuildLeftovers(ch, db, resource.name)).some((t) => t.role === 'replaced')) {
      return { ...change, rebuild: ['a rebuild of it was cut short'] };
    }
    await ch.command({ query: createTableSql(db, resource, cluster) });
  } else {
    change.rebuild = rebuildReasons(resource, stored);
    if (change.rebuild.length) return change;
    change.addedColumns = await addMissingColumns(
      ch,
      db,
      resource.name,
      Object.fromEntries(tableColumns(resource)),
      cluster,
      stored.columns,
    );
    const unfilled = await unfilledColumns(ch, db, resource);
    if (unfilled.length) {
      change.rebuild = [`its stored rows have no values yet in ${unfilled.join(', ')}`];
      return change;
    }
  }
  await ensureCurrentView(ch, db, resource, cluster);
  return change;
}

/**
 * Columns the table has and its view does not show yet, when the table holds rows: added by an upgrade
 * (or a configuration that gained them), they hold defaults until the stored rows are mapped again from
 * `_raw` (table-rebuild.ts), and only then does the view show them. The view lagging is how a later run
 * knows the rows still need it, whenever the one before stopped.
 */
export async function unfilledColumns(
  ch: ClickHouseClient,
  db: string,
  resource: ResourceConfig,
): Promise<string[]> {
  const [table, view] = await Promise.all([
    storedTable(ch, db, resource.name),
    storedTable(ch, db, currentViewName(resource)),
  ]);
  if (!table || !view) return [];
  const missing = [...table.columns.keys()].filter((c) => !view.columns.has(c));
  if (!missing.length) return [];
  const rs = await ch.query({
    query: `SELECT 1 AS any FROM ${qualified(db, resource.name)} LIMIT 1`,
    format: 'JSONEachRow',
  });
  return (await rs.json()).length ? missing : [];
}

/**
 * The `_current` view: made when missing, made anew when its columns are not the table's (a view's
 * columns are fixed when it is made). The new view is made beside the old one and takes its name in
 * one RENAME, so readers (this release's and the one before's) always find a working view, even when
 * a swap is cut short; what a swap cut short left behind is dropped here the next time.
 */
export async function ensureCurrentView(
  ch: ClickHouseClient,
  db: string,
  resource: ResourceConfig,
  cluster: Cluster,
): Promise<void> {
  const name = currentViewName(resource);
  for (const t of await rebuildLeftovers(ch, db, name)) {
    await ch.command({ query: `DROP TABLE IF EXISTS ${qualified(db, t.name)}${onCluster(cluster)}` });
  }
  const [view, table] = await Promise.all([storedTable(ch, db, name), storedTable(ch, db, resource.name)]);
  if (!view) {
    await ch.command({ query: createCurrentViewSql(db, resource, cluster) });
    return;
  }
  if (table && sameColumns(view.columns, table.columns)) return;
  const stamp = Date.now();
  const [fresh, old] = [rebuildTableName(name, stamp), replacedTableName(name, stamp)];
  await ch.command({ query: createCurrentViewSql(db, resource, cluster, fresh) });
  await ch.command({
    query: `RENAME TABLE ${qualified(db, name)} TO ${qualified(db, old)}, ${qualified(db, fresh)} TO ${qualified(db, name)}${onCluster(cluster)}`,
  });
  await ch.command({ query: `DROP TABLE IF EXISTS ${qualified(db, old)}${onCluster(cluster)}` });
}

function sameColumns(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([name, type]) => b.get(name) === type);
}
