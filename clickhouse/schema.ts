// Tables and views for the configured resources. The DDL runs on ClickHouse 18.16 and on current
// servers alike: ReplacingMergeTree(_version) ORDER BY the primary key, ordinary columns only.
import type { ClickHouseClient } from '@clickhouse/client';
import type { ColumnKind, ColumnSpec, ResourceConfig } from '../config/source-config-types';
import { COMPOSITE_KEY_COLUMN } from '../config/record-key';
import { BOOKKEEPING_COLUMNS } from './bookkeeping';
import { Cluster, engineSql, onCluster } from './placement';
import { ident, sqlString } from './sql';

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
  return spec.nullable ? `Nullable(${base})` : base;
}

/** Every column of a resource's table, in order: a composite key's hash, typed API fields, bookkeeping. */
export function tableColumns(resource: ResourceConfig): [string, string][] {
  const typed = Object.entries(resource.columns).map(([name, spec]): [string, string] => [
    name,
    columnType(spec, name === resource.key_column),
  ]);
  const key: [string, string][] =
    resource.key_column === COMPOSITE_KEY_COLUMN ? [[COMPOSITE_KEY_COLUMN, 'UInt64']] : [];
  return [...key, ...typed, ...Object.entries(BOOKKEEPING_COLUMNS)];
}

export const QUARANTINE_TABLE = '_quarantine';
export const currentViewName = (resource: ResourceConfig) => `${resource.name}_current`;

export function createTableSql(db: string, resource: ResourceConfig, cluster?: Cluster): string {
  const cols = tableColumns(resource).map(([n, t]) => `  ${ident(n)} ${t}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${ident(db)}.${ident(resource.name)}${onCluster(cluster)} (`,
    cols.join(',\n'),
    `) ${engineSql(cluster, db, resource.name, 'ReplacingMergeTree', '_version')} ORDER BY ${ident(resource.key_column)}`,
  ].join('\n');
}

/** One row per record, the newest, without the ones marked deleted. */
export function createCurrentViewSql(db: string, resource: ResourceConfig, cluster?: Cluster): string {
  return (
    `CREATE VIEW IF NOT EXISTS ${ident(db)}.${ident(currentViewName(resource))}${onCluster(cluster)} AS ` +
    `SELECT * FROM ${ident(db)}.${ident(resource.name)} FINAL WHERE _is_deleted = 0`
  );
}

/** Records whose shape could not be stored at all (no usable primary key): kept here, not dropped. */
export function createQuarantineSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${ident(db)}.${ident(QUARANTINE_TABLE)}${onCluster(cluster)} (`,
    '  resource String, reason String, raw String, raw_hash UInt64,',
    "  _run_id String, _synced_at DateTime('UTC'), _version UInt64",
    `) ${engineSql(cluster, db, QUARANTINE_TABLE, 'ReplacingMergeTree', '_version')} ORDER BY (resource, raw_hash)`,
  ].join('\n');
}

async function existingColumns(
  ch: ClickHouseClient,
  db: string,
  table: string,
): Promise<Map<string, string>> {
  const rs = await ch.query({
    query: `SELECT name, type FROM system.columns WHERE database = ${sqlString(db)} AND table = ${sqlString(table)}`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ name: string; type: string }>();
  return new Map(rows.map((r) => [r.name, r.type]));
}

export interface SchemaChange {
  table: string;
  created: boolean;
  addedColumns: string[];
  /** Columns whose stored type differs from the configuration's: left alone, reported. */
  typeMismatches: string[];
}

/** The database and the tables every resource shares (quarantine); before any resource table. */
export async function ensureDatabase(ch: ClickHouseClient, db: string, cluster?: Cluster): Promise<void> {
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(db)}${onCluster(cluster)}` });
  await ch.command({ query: createQuarantineSql(db, cluster) });
}

/**
 * Creates the table and its view when missing; adds columns the configuration gained
 * (18.16 has no ADD COLUMN IF NOT EXISTS, so system.columns is read first) and then rebuilds the view,
 * whose column list is fixed when it is created. Safe to run any number of times.
 */
export async function ensureResourceTable(
  ch: ClickHouseClient,
  db: string,
  resource: ResourceConfig,
  cluster?: Cluster,
): Promise<SchemaChange> {
  const before = await existingColumns(ch, db, resource.name);
  const change: SchemaChange = {
    table: resource.name,
    created: before.size === 0,
    addedColumns: [],
    typeMismatches: [],
  };
  if (change.created) {
    await ch.command({ query: createTableSql(db, resource, cluster) });
  } else {
    for (const [name, type] of tableColumns(resource)) {
      const stored = before.get(name);
      if (stored === undefined) {
        await ch.command({
          query: `ALTER TABLE ${ident(db)}.${ident(resource.name)}${onCluster(cluster)} ADD COLUMN ${ident(name)} ${type}`,
        });
        change.addedColumns.push(name);
      } else if (stored.replace(/\\'/g, "'") !== type) {
        change.typeMismatches.push(`${name}: stored ${stored}, configured ${type}`);
      }
    }
  }
  const view = `${ident(db)}.${ident(currentViewName(resource))}`;
  if (change.addedColumns.length)
    await ch.command({ query: `DROP TABLE IF EXISTS ${view}${onCluster(cluster)}` });
  await ch.command({ query: createCurrentViewSql(db, resource, cluster) });
  return change;
}
