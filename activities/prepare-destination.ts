// Creates or updates the tables and views of the resources a sync is about to write, and the
// engine's own state tables; drops seen ids of runs long gone.
import type { ClickHouseClient } from '@clickhouse/client';
import { ensureResourceTable, SchemaChange } from '../clickhouse/schema';
import { dropOldSeenIds, ensureSyncStateTables } from '../clickhouse/sync-state';
import type { ResourceConfig } from '../config/source-config-types';

export async function prepareDestination(
  deps: { ch: ClickHouseClient; database: string },
  resources: ResourceConfig[],
): Promise<SchemaChange[]> {
  const changes: SchemaChange[] = [];
  for (const resource of resources) changes.push(await ensureResourceTable(deps.ch, deps.database, resource));
  await ensureSyncStateTables(deps.ch, deps.database);
  await dropOldSeenIds(deps.ch, deps.database, Date.now());
  return changes;
}
