// Creates or updates the tables and views of the resources a sync is about to write, and the
// engine's own state tables; drops seen ids of runs long gone.
import type { ClickHouseClient } from '@clickhouse/client';
import { ensureDatabase, ensureResourceTable, SchemaChange } from '../clickhouse/schema';
import { dropOldSeenIds, ensureSyncStateTables } from '../clickhouse/sync-state';
import type { ResourceConfig } from '../domain/source-config';

export async function prepareDestination(
  deps: { ch: ClickHouseClient; database: string; cluster?: string },
  resources: ResourceConfig[],
): Promise<SchemaChange[]> {
  await ensureDatabase(deps.ch, deps.database, deps.cluster);
  // Each resource's tables, and the engine's state, are independent: prepared at once.
  const [changes] = await Promise.all([
    Promise.all(
      resources.map((resource) => ensureResourceTable(deps.ch, deps.database, resource, deps.cluster)),
    ),
    ensureSyncStateTables(deps.ch, deps.database, deps.cluster).then(() =>
      dropOldSeenIds(deps.ch, deps.database, Date.now(), deps.cluster),
    ),
  ]);
  return changes;
}
