// `sync_runs`: one row per resource per sync run, so a team can see in ClickHouse itself what ran,
// when, by whom (schedule or hand), what it wrote and how it ended.
import type { ClickHouseClient } from '@clickhouse/client';
import { Cluster, engineSql, onCluster } from './placement';
import { addMissingColumns } from './schema';
import { qualified } from './sql';
import type { RunRow } from '../domain/run-rows';

import { RUNS_TABLE } from '../domain/table-names';

export { RUNS_TABLE };
export type { RunRow };

/** Columns `sync_runs` gained after its first release: added to tables made before. */
const RUNS_COLUMNS_ADDED = { rows_quarantined: 'UInt64' };

export function createRunsTableSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(db, RUNS_TABLE)}${onCluster(cluster)} (`,
    "  run_id String, resource String, kind String, trigger String, started DateTime('UTC'),",
    "  finished DateTime('UTC'), pages UInt64, rows_written UInt64, rows_unchanged UInt64, rows_deleted UInt64,",
    '  held_back UInt64, retries UInt64, outcome String, error String, rows_quarantined UInt64',
    // One row per run and resource: a retried write of the same row merges away.
    `) ${engineSql(cluster, db, RUNS_TABLE, 'ReplacingMergeTree')} ORDER BY (run_id, resource)`,
  ].join('\n');
}

export async function insertRunRows(
  ch: ClickHouseClient,
  db: string,
  rows: RunRow[],
  cluster?: Cluster,
): Promise<void> {
  await ch.command({ query: createRunsTableSql(db, cluster) });
  await addMissingColumns(ch, db, RUNS_TABLE, RUNS_COLUMNS_ADDED, cluster);
  if (rows.length) await ch.insert({ table: qualified(db, RUNS_TABLE), values: rows, format: 'JSONEachRow' });
}

export interface RecentRun {
  run_id: string;
  kind: string;
  trigger: string;
  started: string;
  finished: string;
  rows_written: number;
  rows_deleted: number;
  outcome: string;
  resources: string;
}

/** The latest runs, newest first, one line each (the worst outcome of its resources). */
export async function recentRuns(ch: ClickHouseClient, db: string, limit: number): Promise<RecentRun[]> {
  const rs = await ch.query({
    query:
      `SELECT run_id, any(kind) AS kind, any(trigger) AS trigger, toString(min(started)) AS started, ` +
      `toString(max(finished)) AS finished, sum(rows_written) AS rows_written, sum(rows_deleted) AS rows_deleted, ` +
      `multiIf(countIf(outcome = 'cancelled') > 0, 'cancelled', countIf(outcome = 'failed') > 0, 'failed', ` +
      // Not aliased "outcome": ClickHouse would read the alias inside its own countIf.
      `countIf(outcome = 'degraded') > 0, 'degraded', 'ok') AS run_outcome, ` +
      `arrayStringConcat(groupArray(concat(resource, ':', outcome)), ' ') AS resources ` +
      `FROM ${qualified(db, RUNS_TABLE)} FINAL GROUP BY run_id ORDER BY started DESC LIMIT ${Math.floor(limit)}`,
    format: 'JSONEachRow',
  });
  const runs = await rs.json<Omit<RecentRun, 'outcome'> & { run_outcome: string }>();
  return runs.map(({ run_outcome, ...r }) => ({ ...r, outcome: run_outcome }));
}
