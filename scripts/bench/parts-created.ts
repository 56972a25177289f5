// How many parts a load made ClickHouse create, per table. In a non-replicated MergeTree every
// inserted part takes the next number of its table's block counter and a merge takes none (the merged
// part spans its sources' numbers), so the highest block number of a table's parts, active or not,
// counts the parts inserted into it since it was created: checked on 18.16 (five inserts, an insert
// into two partitions, OPTIMIZE FINAL: 7). Before and after a load, the difference is its parts.
// It needs the merged-away parts still listed, which system.parts does until they are removed
// (minutes), and no mutation (ALTER UPDATE/DELETE would take a number too; the pipeline runs none).
import type { ClickHouseClient } from '@clickhouse/client';
import { sqlString } from '../../clickhouse/sql';

export interface PartsCreated {
  byTable: Record<string, number>;
  total: number;
}

/** Each table's highest block number: its inserted parts so far. */
export async function blockNumbers(ch: ClickHouseClient, database: string): Promise<Record<string, number>> {
  const rs = await ch.query({
    query:
      'SELECT table, max(max_block_number) AS n FROM system.parts ' +
      `WHERE database = ${sqlString(database)} GROUP BY table`,
    format: 'JSONEachRow',
  });
  const out: Record<string, number> = {};
  for (const { table, n } of await rs.json<{ table: string; n: string }>()) out[table] = Number(n);
  return out;
}

/** The parts created between two readings of blockNumbers (an empty `before` for a new database). */
export function partsBetween(before: Record<string, number>, after: Record<string, number>): PartsCreated {
  const byTable: Record<string, number> = {};
  for (const [table, n] of Object.entries(after)) {
    const made = n - (before[table] ?? 0);
    if (made > 0) byTable[table] = made;
  }
  return { byTable, total: Object.values(byTable).reduce((a, b) => a + b, 0) };
}
