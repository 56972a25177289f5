// The two Temporal Schedules a deployment runs: an incremental sync every 15 minutes and a nightly
// reconciliation, each starting syncWorkflow with a request whose relative settings are rules (so
// every run resolves its own years). `apply` creates them or brings them up to date.
import {
  Client,
  ScheduleAlreadyRunning,
  ScheduleDescription,
  ScheduleOptions,
  ScheduleOverlapPolicy,
  ScheduleSpec,
} from '@temporalio/client';
import { RESOURCES_KEY, SYNC_MODE_KEY } from '../shared/search-attributes';
import type { SyncMode } from '../shared/types';
import { destinationKey } from '../shared/workflow-ids';
import { syncWorkflow } from '../workflows';
import { parseSyncArgs, syncInputFromSettings, UsageError } from './sync-request';

export interface ScheduleDef {
  id: string;
  mode: SyncMode;
  spec: ScheduleSpec;
  /** The setting the spec came from, for messages. */
  specText: string;
}

const DURATION = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(text: string, setting: string): number {
  const d = DURATION.exec(text.trim());
  if (!d)
    throw new UsageError(`${setting}: expected a duration such as 30m or 2h, got ${JSON.stringify(text)}`);
  return Number(d[1]) * UNIT_MS[d[2]];
}

/** `every 15m` (or `15m`, units s m h d) is an interval; five space-separated fields are a cron expression (UTC). */
export function parseScheduleSpec(text: string, setting: string): ScheduleSpec {
  const t = text.trim().replace(/^every\s+/i, '');
  if (DURATION.test(t)) {
    const ms = durationMs(t, setting);
    if (ms < 60_000)
      throw new UsageError(`${setting}: an interval of at least 1m, got ${JSON.stringify(text)}`);
    return { intervals: [{ every: ms }] };
  }
  if (t.split(/\s+/).length === 5 && /^[\d*/,\-\sA-Za-z?]+$/.test(t)) return { cronExpressions: [t] };
  throw new UsageError(
    `${setting}: expected an interval such as "every 15m" or a cron expression such as "0 3 * * *", got ${JSON.stringify(text)}`,
  );
}

/** The schedules these settings describe (SCHEDULE_ID_PREFIX, SCHEDULE_INCREMENTAL, SCHEDULE_RECONCILE). */
export function scheduleDefs(vars: Record<string, string>): ScheduleDef[] {
  const prefix = vars.SCHEDULE_ID_PREFIX ?? 'clockodo';
  const incremental = vars.SCHEDULE_INCREMENTAL ?? 'every 15m';
  const reconcile = vars.SCHEDULE_RECONCILE ?? '0 3 * * *';
  return [
    {
      id: `${prefix}-incremental`,
      mode: 'incremental',
      spec: parseScheduleSpec(incremental, 'SCHEDULE_INCREMENTAL'),
      specText: incremental,
    },
    {
      id: `${prefix}-reconcile`,
      mode: 'reconcile',
      spec: parseScheduleSpec(reconcile, 'SCHEDULE_RECONCILE'),
      specText: reconcile,
    },
  ];
}

/** What a schedule starts: the same validated request start-sync would send, with relative settings as rules. */
export function scheduleOptions(def: ScheduleDef, vars: Record<string, string>): ScheduleOptions {
  const base = syncInputFromSettings(vars, parseSyncArgs(def.mode === 'reconcile' ? ['--reconcile'] : []));
  const input = {
    ...base,
    options: {
      ...base.options,
      lockWaitMs: durationMs(vars.SCHEDULE_LOCK_WAIT ?? '1h', 'SCHEDULE_LOCK_WAIT'),
    },
    trigger: `schedule:${def.id}`,
  };
  return {
    scheduleId: def.id,
    spec: def.spec,
    action: {
      type: 'startWorkflow',
      workflowType: syncWorkflow,
      // Temporal appends each run's scheduled time to this id.
      workflowId: def.id,
      taskQueue: vars.TEMPORAL_TASK_QUEUE,
      args: [input],
      typedSearchAttributes: [
        { key: SYNC_MODE_KEY, value: input.mode },
        { key: RESOURCES_KEY, value: input.resources },
      ],
      staticSummary: `Clockodo sync (${input.mode}, scheduled) into ${destinationKey(input.destination)}: ${input.resources.join(', ')}`,
    },
    policies: {
      // A run still going when the next is due: skip the next (syncs of one destination never overlap).
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: durationMs(vars.SCHEDULE_CATCHUP_WINDOW ?? '1h', 'SCHEDULE_CATCHUP_WINDOW'),
    },
    state: {
      note: `${def.mode} sync into ${destinationKey(input.destination)} (${def.specText}); managed by npm run schedule -- apply`,
    },
  };
}

export interface Applied {
  id: string;
  created: boolean;
}

/** Creates each schedule, or updates it in place (keeping whether it is paused, and its note then). */
export async function applySchedules(client: Client, vars: Record<string, string>): Promise<Applied[]> {
  const applied: Applied[] = [];
  for (const def of scheduleDefs(vars)) {
    const options = scheduleOptions(def, vars);
    try {
      await client.schedule.create(options);
      applied.push({ id: def.id, created: true });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(def.id).update((previous: ScheduleDescription) => ({
        spec: options.spec,
        action: options.action,
        policies: options.policies,
        state: previous.state.paused
          ? { paused: true, note: previous.state.note }
          : { note: options.state?.note },
      }));
      applied.push({ id: def.id, created: false });
    }
  }
  return applied;
}

/** A schedule's times in words: `every 15m`, `daily at 03:00 UTC`, or `calendar` for anything else. */
export function describeSpec(spec: ScheduleDescription['spec']): string {
  const intervals = (spec.intervals ?? []).map((i) => `every ${Math.round(Number(i.every) / 60_000)}m`);
  const calendars = (spec.calendars ?? []).map((c) => {
    const single = (r?: { start: number; end?: number }[]) =>
      r && r.length === 1 && (r[0].end === undefined || r[0].end === r[0].start) ? r[0].start : undefined;
    const hour = single(c.hour);
    const minute = single(c.minute);
    const pad = (n: number) => String(n).padStart(2, '0');
    return hour !== undefined && minute !== undefined && (c.dayOfMonth ?? []).length <= 1
      ? `daily at ${pad(hour)}:${pad(minute)} UTC`
      : 'calendar';
  });
  return [...intervals, ...calendars].join(', ') || 'no times';
}
