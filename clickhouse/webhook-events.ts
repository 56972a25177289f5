// `_webhook_events`: the last webhook event received per resource, written by the changes workflow
// when it takes a batch (one row per resource), read by `start-sync -- status`. One row per resource
// after merges: the newest replaces the one before.
import type { ClickHouseClient } from '@clickhouse/client';
import { WEBHOOK_EVENTS_TABLE } from '../domain/table-names';
import { Cluster, engineSql, onCluster } from './placement';
import { qualified } from './sql';

export interface WebhookEventRow {
  resource: string;
  /** The latest event name of the batch (`entry.updated`, or `path:<resource>`). */
  event: string;
  /** When the receiver took it, 'YYYY-MM-DD hh:mm:ss' UTC. */
  received: string;
  /** Events of this resource in the batch. */
  events: number;
  /** The sync the batch started. */
  sync_id: string;
}

export function createWebhookEventsTableSql(db: string, cluster?: Cluster): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(db, WEBHOOK_EVENTS_TABLE)}${onCluster(cluster)} (`,
    "  resource String, event String, received DateTime('UTC'), events UInt64, sync_id String",
    `) ${engineSql(cluster, db, WEBHOOK_EVENTS_TABLE, 'ReplacingMergeTree', 'received')} ORDER BY resource`,
  ].join('\n');
}

export async function insertWebhookEvents(
  ch: ClickHouseClient,
  db: string,
  rows: WebhookEventRow[],
  cluster?: Cluster,
): Promise<void> {
  await ch.command({ query: createWebhookEventsTableSql(db, cluster) });
  if (rows.length)
    await ch.insert({ table: qualified(db, WEBHOOK_EVENTS_TABLE), values: rows, format: 'JSONEachRow' });
}

/** The last event per resource, newest first. */
export async function lastWebhookEvents(ch: ClickHouseClient, db: string): Promise<WebhookEventRow[]> {
  const rs = await ch.query({
    query:
      `SELECT resource, event, toString(received) AS received, events, sync_id ` +
      `FROM ${qualified(db, WEBHOOK_EVENTS_TABLE)} FINAL ORDER BY received DESC, resource`,
    format: 'JSONEachRow',
  });
  return (await rs.json<WebhookEventRow>()).map((r) => ({ ...r, events: Number(r.events) }));
}
