// Records of different content that one run read under the same key (the key does not identify them:
// recurring nonbusiness days share their id across years, for one). The table can hold one row per
// key, so the others would be lost without a word. The seen ids tell which keys collided and on which
// pages; those pages are read again, and every record of a key that really has several contents goes
// to the quarantine table (the table keeps the newest, as ReplacingMergeTree does). A key whose
// record merely changed between two reads (it moved from one window to the next) is no collision.
import { syncIdOf } from '../domain/workflow-ids';
import { recordToRow } from '../clickhouse/row-mapping';
import { collidingKeys } from '../clickhouse/sync-state';
import { insertQuarantined, QuarantinedRecord } from '../clickhouse/writer';
import type { ResourceConfig } from '../domain/source-config';
import type { KeyCollisionsRequest, KeyCollisionsResult } from '../domain/types';
import { FetchPageDeps, partitionLabel, pastWindow, readPage } from './fetch-page';
import { count, logInActivity } from './telemetry';

/** Keys read again at most per run: enough to show the pattern without reading the whole list twice. */
const MAX_KEYS = 50;
const MAX_EXAMPLES = 3;

/** `id 7`, or `(users_id, year) (3, 2025)`: the key of a mapped row as the configuration names it. */
export function keyOfRow(resource: ResourceConfig, row: Record<string, unknown>): string {
  const values = resource.primary_key.map((f) => JSON.stringify(row[f] ?? null));
  return resource.primary_key.length === 1
    ? `${resource.primary_key[0]} ${values[0]}`
    : `(${resource.primary_key.join(', ')}) (${values.join(', ')})`;
}

interface Found {
  key: string;
  /** By content hash: the record and where it was read. */
  contents: Map<number, { raw: string; where: string }>;
}

export async function quarantineKeyCollisions(
  deps: FetchPageDeps,
  req: KeyCollisionsRequest,
): Promise<KeyCollisionsResult> {
  const { resource } = req;
  const { total, keys } = await collidingKeys(deps.ch, deps.database, {
    resource: resource.name,
    syncId: syncIdOf(req),
    readIds: req.reads.map((r) => r.readId),
    limit: MAX_KEYS,
  });
  const result: KeyCollisionsResult = { suspected: total, confirmed: 0, quarantined: 0, examples: [] };
  if (total === 0) return result;

  const targets = new Map(req.reads.map((r) => [r.readId, r.target]));
  const wanted = new Set(keys.map((k) => k.id));
  const pages = new Map<string, { readId: string; page: number }>();
  for (const place of keys.flatMap((k) => k.places)) pages.set(`${place.readId}\u0000${place.page}`, place);
  const found = new Map<number, Found>();
  // In read order, so the run names the places of a key the same way every time.
  const inOrder = [...pages.values()].sort((a, b) => a.readId.localeCompare(b.readId) || a.page - b.page);
  for (const { readId, page } of inOrder) {
    const target = targets.get(readId);
    if (!target) continue;
    const at = { ...req, target, page };
    const { records, observedMs } = await readPage(deps, at);
    const where = `${partitionLabel(target) || 'the list'} page ${page}`;
    const meta = {
      syncedAt: observedMs,
      syncId: syncIdOf(req),
      partition: partitionLabel(target),
      partitionValue: target.partition,
    };
    for (const record of records) {
      if (pastWindow(at, record)) continue;
      const mapped = recordToRow(record, resource, meta);
      if (!mapped.ok) continue;
      const id = mapped.row[resource.key_column] as number;
      if (!wanted.has(id)) continue;
      const entry: Found = found.get(id) ?? { key: keyOfRow(resource, mapped.row), contents: new Map() };
      entry.contents.set(mapped.row._hash as number, { raw: mapped.row._raw as string, where });
      found.set(id, entry);
    }
  }

  const quarantine: QuarantinedRecord[] = [];
  for (const { key, contents } of found.values()) {
    if (contents.size < 2) continue; // changed between reads, not shared
    result.confirmed++;
    const reason = `key collision: ${key} is the key of ${contents.size} different records in one run (the table holds the newest)`;
    for (const { raw } of contents.values()) quarantine.push({ resource: resource.name, reason, raw });
    if (result.examples.length < MAX_EXAMPLES) {
      const wheres = [...new Set([...contents.values()].map((c) => c.where))];
      result.examples.push(`${key}: ${contents.size} records (${wheres.join(', ')})`);
    }
  }
  await insertQuarantined(deps.ch, deps.database, quarantine, {
    syncId: syncIdOf(req),
    syncedAt: Date.now(),
  });
  result.quarantined = quarantine.length;
  count('clockodo_key_collisions', resource.name, result.confirmed);
  count('clockodo_rows_quarantined', resource.name, quarantine.length);
  if (result.confirmed) {
    logInActivity('key collisions', {
      resource: resource.name,
      keys: result.confirmed,
      examples: result.examples,
    });
  }
  return result;
}
