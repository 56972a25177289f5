// A resource's table built anew when the configuration keys it by another field or types a column
// otherwise (ClickHouse cannot change a table's sorting key, and a new type must hold every old value):
// every stored row, deletion markers included, is mapped again from its `_raw` under the new
// configuration into a new table, keeping its version, and the new table then takes the old one's name.
// Nothing is lost: a record the new key cannot identify, and every record of a key several stored
// records now share, goes to the quarantine table too.
//
// Columns a table gained (an upgrade, a configuration that added them) are filled the same way, in
// place: the stored rows are mapped again from `_raw` into the table itself, and the `_current` view
// shows the columns only then. Neither reads the API again.
//
// It runs inside the resource's own sync (whose workflow id is the lock), so no other sync writes to
// the table meanwhile. A rebuild cut short (a worker that died) is finished or undone by the next call.
import type { ClickHouseClient } from '@clickhouse/client';
import type { ResourceConfig } from '../domain/source-config';
import { Cluster, onCluster } from './placement';
import { recordToRow, Row } from './row-mapping';
import {
  createTableSql,
  describeKey,
  ensureCurrentView,
  ensureResourceTable,
  rebuildLeftovers,
  rebuildReasons,
  rebuildTableName,
  replacedTableName,
  storedTable,
  unfilledColumns,
} from './schema';
import { ident, qualified, sqlString } from './sql';
import { insertQuarantined, insertRows, QuarantinedRecord } from './writer';

/** Rows inserted at once while copying. */
const BATCH = 10_000;

interface Deps {
  ch: ClickHouseClient;
  database: string;
  cluster?: Cluster;
}

/**
 * Makes the resource's table fit its configuration, building it anew when it must. Returns what was
 * done, for the run's notes, or null when the table already fitted (or was just created).
 */
export async function prepareResourceTable(deps: Deps, resource: ResourceConfig): Promise<string | null> {
  const { ch, database: db, cluster } = deps;
  const resumed = await finishInterruptedRebuild(deps, resource.name);
  const stored = await storedTable(ch, db, resource.name);
  const reasons = stored ? rebuildReasons(resource, stored) : [];
  if (!stored || reasons.length === 0) {
    const unfilled = (await ensureResourceTable(ch, db, resource, cluster)).rebuild.length
      ? await unfilledColumns(ch, db, resource)
      : [];
    if (!unfilled.length) return resumed;
    // In place: each row written again, mapped from its _raw, with its own version; the newest insert
    // of a version is the one ReplacingMergeTree keeps. Cut short, it is done again (the view still lags).
    const copy = await copyMappedAgain(deps, resource, resource.name, resource.key_column);
    await ensureCurrentView(ch, db, resource, cluster);
    return (
      `${resumed ? `${resumed}; ` : ''}table ${resource.name} gained ${unfilled.join(', ')}: ` +
      `${copy.rows} stored rows mapped again from _raw`
    );
  }
  const stamp = Date.now();
  const fresh = rebuildTableName(resource.name, stamp);
  await ch.command({ query: createTableSql(db, resource, cluster, fresh) });
  const copy = await copyMappedAgain(deps, resource, fresh, stored.sortingKey.replace(/`/g, ''));
  await ch.command({
    query:
      `RENAME TABLE ${qualified(db, resource.name)} TO ${qualified(db, replacedTableName(resource.name, stamp))}, ` +
      `${qualified(db, fresh)} TO ${qualified(db, resource.name)}${onCluster(cluster)}`,
  });
  await ch.command({
    query: `DROP TABLE IF EXISTS ${qualified(db, replacedTableName(resource.name, stamp))}${onCluster(cluster)}`,
  });
  await ensureCurrentView(ch, db, resource, cluster);
  const before = resumed ? `${resumed}; ` : '';
  const kept = copy.quarantined ? `; ${copy.quarantined} records also kept in _quarantine (${copy.why})` : '';
  return (
    `${before}table ${resource.name} built anew, keyed by ${describeKey(resource)} (${reasons.join('; ')}): ` +
    `${copy.rows} stored rows mapped again from _raw${kept}`
  );
}

/**
 * A rebuild that stopped between its steps: if the table is missing, the swap was cut short (finish it
 * with the new table, or put the old one back); tables a rebuild left behind are then dropped.
 */
async function finishInterruptedRebuild(deps: Deps, name: string): Promise<string | null> {
  const { ch, database: db, cluster } = deps;
  const left = await rebuildLeftovers(ch, db, name);
  const replaced = left.filter((t) => t.role === 'replaced').sort((a, b) => a.stamp - b.stamp);
  let resumed: string | null = null;
  if (replaced.length && !(await storedTable(ch, db, name))) {
    const old = replaced[replaced.length - 1];
    const done = left.find((t) => t.role === 'rebuild' && t.stamp === old.stamp);
    const back = done ?? old;
    await ch.command({
      query: `RENAME TABLE ${qualified(db, back.name)} TO ${qualified(db, name)}${onCluster(cluster)}`,
    });
    left.splice(left.indexOf(back), 1);
    resumed = done
      ? `a rebuild of table ${name} had stopped before its new table took the name: it has now`
      : `a rebuild of table ${name} had stopped midway: the table it replaced is back`;
  }
  for (const t of left) {
    await ch.command({ query: `DROP TABLE IF EXISTS ${qualified(db, t.name)}${onCluster(cluster)}` });
  }
  return resumed;
}

type StoredRow = Record<string, unknown> & {
  _raw: string;
  _version: number;
  _is_deleted: number;
  _synced_at: string;
  _run_id: string;
  _partition: string;
};

/**
 * Copies the newest stored row of every old key into `fresh`, mapped again from its `_raw`. Records
 * the new key cannot identify go to quarantine; so do all records of a new key several old rows share
 * (the table keeps the newest of them, as ReplacingMergeTree does).
 */
async function copyMappedAgain(
  deps: Deps,
  resource: ResourceConfig,
  fresh: string,
  oldKey: string,
): Promise<{ rows: number; quarantined: number; why: string }> {
  const { ch, database: db } = deps;
  const meta = { syncId: 'table rebuild', syncedAt: Date.now() };
  const partitioned = resource.endpoint.partition_router !== undefined;
  const quarantine: QuarantinedRecord[] = [];
  // The old key of each new key's first row: rows of a key seen twice are fetched again at the end.
  const firstOldKey = new Map<number, unknown>();
  const sharedOldKeys = new Set<unknown>();
  let batch: Row[] = [];
  let rows = 0;
  const rs = await ch.query({
    query: `SELECT * FROM ${qualified(db, resource.name)} FINAL`,
    format: 'JSONEachRow',
  });
  for await (const chunk of rs.stream()) {
    for (const line of chunk) {
      const old = line.json<StoredRow>();
      const mapped = mapAgain(old, resource, partitioned);
      if (!mapped.ok) {
        quarantine.push({
          resource: resource.name,
          reason: `table rebuild: ${mapped.reason}`,
          raw: old._raw,
        });
        continue;
      }
      const key = mapped.row[resource.key_column] as number;
      const first = firstOldKey.get(key);
      if (first === undefined) firstOldKey.set(key, old[oldKey]);
      else sharedOldKeys.add(first).add(old[oldKey]);
      batch.push(mapped.row);
      rows++;
      if (batch.length >= BATCH) {
        await insertRows(ch, db, fresh, batch);
        batch = [];
      }
    }
  }
  await insertRows(ch, db, fresh, batch);
  const bad = quarantine.length;
  if (sharedOldKeys.size) quarantine.push(...(await rowsSharingKeys(deps, resource, oldKey, sharedOldKeys)));
  await insertQuarantined(ch, db, quarantine, meta);
  const why = [
    bad ? `${bad} without a usable key` : '',
    quarantine.length > bad ? `${quarantine.length - bad} sharing a key with another` : '',
  ].filter(Boolean);
  return { rows, quarantined: quarantine.length, why: why.join(', ') };
}

type Remapped = { ok: true; row: Row } | { ok: false; reason: string };

function mapAgain(old: StoredRow, resource: ResourceConfig, partitioned: boolean): Remapped {
  let record: unknown;
  try {
    record = JSON.parse(old._raw);
  } catch {
    return { ok: false, reason: '_raw is not JSON' };
  }
  const mapped = recordToRow(record, resource, {
    syncedAt: 0,
    syncId: old._run_id,
    partition: old._partition,
    // A partition's label is its value (the year read).
    partitionValue: partitioned ? old._partition : undefined,
  });
  if (!mapped.ok) return mapped;
  // The state it was: observed then, by that run, deleted or not, in the same merge order.
  return {
    ok: true,
    row: { ...mapped.row, _version: old._version, _is_deleted: old._is_deleted, _synced_at: old._synced_at },
  };
}

/** The stored records (newest of each old key) whose old keys now share one new key. */
async function rowsSharingKeys(
  deps: Deps,
  resource: ResourceConfig,
  oldKey: string,
  oldKeys: Set<unknown>,
): Promise<QuarantinedRecord[]> {
  const values = [...oldKeys].map((v) => (typeof v === 'number' ? String(v) : sqlString(String(v))));
  const rs = await deps.ch.query({
    query:
      `SELECT _raw FROM ${qualified(deps.database, resource.name)} FINAL ` +
      `WHERE ${ident(oldKey)} IN (${values.join(', ')})`,
    format: 'JSONEachRow',
  });
  return (await rs.json<{ _raw: string }>()).map((r) => ({
    resource: resource.name,
    reason: `table rebuild: another stored record has the same key ${describeKey(resource)}`,
    raw: r._raw,
  }));
}
