// Where the project's tables live: on the one server it connects to, or on every replica of a
// ClickHouse cluster (CLICKHOUSE_CLUSTER), where each DDL statement runs ON CLUSTER and each table
// uses the Replicated form of its engine, so all replicas hold the same rows.
import { ident, sqlString } from './sql';

/** The cluster name from the server's <remote_servers>, or undefined for a single server. */
export type Cluster = string | undefined;

/** ` ON CLUSTER name`, or nothing. */
export const onCluster = (cluster: Cluster): string => (cluster ? ` ON CLUSTER ${ident(cluster)}` : '');

/**
 * The engine clause for a table: `MergeTree`-family ENGINE, replicated on a cluster. The replica path
 * names the database and table itself ({database}/{table} macros came after 18.16); {shard} and
 * {replica} are each server's own <macros>.
 */
export function engineSql(
  cluster: Cluster,
  db: string,
  table: string,
  engine: 'MergeTree' | 'ReplacingMergeTree',
  version?: string,
): string {
  if (!cluster) return `ENGINE = ${engine}${version ? `(${version})` : ''}`;
  const args = [sqlString(`/clickhouse/tables/{shard}/${db}/${table}`), sqlString('{replica}')];
  if (version) args.push(version);
  return `ENGINE = Replicated${engine}(${args.join(', ')})`;
}
