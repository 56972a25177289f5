// After a resource (or one partition or window of it) was read completely, every stored record in
// that scope that the read did not write again has vanished from the source: write a deletion
// marker for it (a copy of its newest row with _is_deleted = 1 and a newer version).
// Safe to run twice: the second run finds the markers and writes nothing new.
import type { ClickHouseClient } from '@clickhouse/client';
import { tableColumns } from '../clickhouse/schema';
import { ident, sqlString } from '../clickhouse/sql';
import type { DeletionScope, MarkDeletionsRequest } from '../shared/types';

function scopeCondition(scope: DeletionScope): string {
  switch (scope.kind) {
    case 'all':
      return '1';
    case 'partitions':
      return `_partition IN (${scope.values.map(sqlString).join(', ')})`;
    case 'window': {
      const since = Math.floor(Date.parse(scope.window.since) / 1000);
      const until = Math.floor(Date.parse(scope.window.until) / 1000);
      return `${ident(scope.column)} >= toDateTime(${since}) AND ${ident(scope.column)} <= toDateTime(${until})`;
    }
  }
}

export async function markDeletions(
  deps: { ch: ClickHouseClient; database: string },
  req: MarkDeletionsRequest,
): Promise<number> {
  const table = `${ident(deps.database)}.${ident(req.resource.name)}`;
  // Rows of this run carry runVersion; anything older in scope and still live was not seen again.
  const stale = `_is_deleted = 0 AND _version < ${req.runVersion} AND (${scopeCondition(req.scope)})`;
  const countRs = await deps.ch.query({
    query: `SELECT count() AS n FROM ${table} FINAL WHERE ${stale}`,
    format: 'JSONEachRow',
  });
  const [{ n }] = await countRs.json<{ n: number | string }>();
  const count = Number(n);
  if (count === 0) return 0;
  const columns = tableColumns(req.resource).map(([name]) => name);
  const overrides: Record<string, string> = {
    _version: String(req.runVersion + 1),
    _synced_at: 'now()',
    _run_id: sqlString(req.runId),
    _is_deleted: '1',
  };
  const select = columns.map((c) => (overrides[c] ? `${overrides[c]} AS ${ident(c)}` : ident(c)));
  // The filter sits in a subquery: ClickHouse lets SELECT aliases shadow columns in WHERE, and the
  // aliases here (_version, _is_deleted) are the very columns the filter reads.
  await deps.ch.command({
    query:
      `INSERT INTO ${table} (${columns.map(ident).join(', ')}) ` +
      `SELECT ${select.join(', ')} FROM (SELECT * FROM ${table} FINAL WHERE ${stale})`,
  });
  return count;
}
