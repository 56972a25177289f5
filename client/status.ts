// `npm run start-sync -- status`: stuck runs first (with the way out), the latest runs recorded in
// sync_runs, and the schedules' state.
import type { Client } from '@temporalio/client';
import { connectClickHouse } from '../clickhouse/connection';
import { tableExists } from '../clickhouse/report-queries';
import { recentRuns, RUNS_TABLE } from '../clickhouse/run-history';
import { lastWebhookEvents } from '../clickhouse/webhook-events';
import { WEBHOOK_EVENTS_TABLE } from '../domain/table-names';
import { changesWorkflowId } from '../domain/workflow-ids';
import { changesStateQuery } from '../workflows';
import { clickHouseSettings, destinationOf } from '../config/settings';
import { shownUrl } from '../config/shown-url';
import { reachClickHouse } from './clickhouse-reach';
import { describeSpec } from './schedules';
import { findStuckRuns, StuckRun } from './stuck-runs';

const RECENT = 10;

/** What status needs, checked before it connects to anything. */
export function checkStatusSettings(vars: Record<string, string>): void {
  clickHouseSettings(vars);
}

/** The stuck runs, first and plain: they block every later run of their resources. */
export function formatStuckRuns(stuck: StuckRun[], withWayOut = true): string[] {
  if (stuck.length === 0) return [];
  return [
    `STUCK: ${stuck.length} workflow${stuck.length === 1 ? '' : 's'} cannot go on; each holds its resource's lock, so later runs of it wait and fail:`,
    ...stuck.flatMap((s) => [
      `  ${s.type} ${s.workflowId} (sync run ${s.root.workflowId}), since ${s.since.toISOString()}`,
      `    ${s.reason}`,
    ]),
    ...(withWayOut
      ? [
          '  To end their sync runs and free the locks (the next run recovers; docs/operations.md, "A stuck run"):',
          '    npm run start-sync -- release-stuck --yes',
        ]
      : []),
  ];
}

export async function printStatus(
  client: Client,
  vars: Record<string, string>,
  taskQueue: string,
): Promise<void> {
  for (const line of formatStuckRuns(await findStuckRuns(client, taskQueue))) console.log(line);
  const settings = clickHouseSettings(vars);
  const ch = connectClickHouse(settings);
  try {
    await reachClickHouse(ch, vars);
    const runs = (await tableExists(ch, settings.database, RUNS_TABLE))
      ? await recentRuns(ch, settings.database, RECENT)
      : [];
    console.log(`Recent runs into ${shownUrl(vars.CLICKHOUSE_URL)} database ${settings.database}:`);
    if (runs.length === 0) console.log('  none recorded yet');
    for (const r of runs) {
      console.log(
        `  ${r.started}  ${r.kind.padEnd(12)} ${r.trigger.padEnd(30)} ${r.outcome.padEnd(9)} ${String(r.rows_written).padStart(8)} written ${String(r.rows_deleted).padStart(6)} deleted  ${r.run_id}`,
      );
    }
    const hooks = (await tableExists(ch, settings.database, WEBHOOK_EVENTS_TABLE))
      ? await lastWebhookEvents(ch, settings.database)
      : [];
    console.log('Webhooks received (the last per resource; npm run webhooks):');
    if (hooks.length === 0) console.log('  none yet');
    for (const w of hooks)
      console.log(
        `  ${w.received}  ${w.resource.padEnd(26)} ${w.event.padEnd(28)} ${String(w.events).padStart(6)} in its batch  ${w.sync_id}`,
      );
  } finally {
    await ch.close();
  }
  for (const line of await changesLines(client, vars)) console.log(line);
  console.log('Schedules:');
  let any = false;
  for await (const s of client.schedule.list()) {
    any = true;
    const d = await client.schedule.getHandle(s.scheduleId).describe();
    const last = d.info.recentActions.at(-1);
    console.log(
      `  ${s.scheduleId.padEnd(28)} ${(d.state.paused ? 'paused' : 'active').padEnd(7)} ${describeSpec(d.spec).padEnd(22)} ` +
        `last ${last ? last.takenAt.toISOString().replace(/\.\d+Z$/, 'Z') : '-'}, next ${d.info.nextActionTimes[0]?.toISOString().replace(/\.\d+Z$/, 'Z') ?? '-'}`,
    );
  }
  if (!any) console.log('  none (npm run schedule -- apply)');
}

/** What the destination's changes workflow holds now: events waiting, the sync running, its totals. */
async function changesLines(client: Client, vars: Record<string, string>): Promise<string[]> {
  const id = changesWorkflowId(destinationOf(vars));
  try {
    const handle = client.workflow.getHandle(id);
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING')
      return [`Changes workflow ${id}: ${d.status.name.toLowerCase()} (the next webhook starts it)`];
    const s = await handle.query(changesStateQuery);
    const pending = Object.entries(s.pending).map(([r, p]) => `${r} (${p.count})`);
    return [
      `Changes workflow ${id}: running; ${s.received} events, ${s.coalesced} coalesced, ${s.syncs} syncs (${s.failedSyncs} failed)`,
      `  waiting: ${pending.length ? pending.join(', ') : 'nothing'}`,
      ...(s.running ? [`  syncing now: ${s.running.resources.join(', ')} (${s.running.workflowId})`] : []),
    ];
  } catch {
    return [`Changes workflow ${id}: none (no webhook received yet, or its history was removed)`];
  }
}
