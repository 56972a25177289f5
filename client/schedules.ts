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
import { RESOURCES_KEY, SYNC_MODE_KEY } from '../domain/search-attributes';
import type { SyncMode } from '../domain/types';
import { destinationKey } from '../domain/workflow-ids';
import { syncWorkflow } from '../workflows';
import { durationSetting, parseScheduleSpec, scheduleIdPrefix } from './schedule-settings';
import { parseSyncArgs, syncInputFromSettings } from './sync-request';

export { parseScheduleSpec } from './schedule-settings';

export interface ScheduleDef {
  id: string;
  mode: SyncMode;
  spec: ScheduleSpec;
  /** The setting the spec came from, for messages. */
  specText: string;
}

/** The schedules these settings describe (SCHEDULE_ID_PREFIX, SCHEDULE_INCREMENTAL, SCHEDULE_RECONCILE). */
export function scheduleDefs(vars: Record<string, string>): ScheduleDef[] {
  const prefix = scheduleIdPrefix(vars);
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
      lockWaitMs: durationSetting(vars, 'SCHEDULE_LOCK_WAIT', '1h'),
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
      catchupWindow: durationSetting(vars, 'SCHEDULE_CATCHUP_WINDOW', '1h'),
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

/** Both schedules' options, every setting and the source configuration checked: nothing is sent yet. */
export function planSchedules(vars: Record<string, string>): ScheduleOptions[] {
  return scheduleDefs(vars).map((def) => scheduleOptions(def, vars));
}

/**
 * Creates each schedule, or updates it in place (keeping whether it is paused, and its note then).
 * Given settings, plans both first: one invalid schedule leaves both untouched.
 */
export async function applySchedules(
  client: Client,
  planned: Record<string, string> | ScheduleOptions[],
): Promise<Applied[]> {
  const applied: Applied[] = [];
  for (const options of Array.isArray(planned) ? planned : planSchedules(planned)) {
    const id = options.scheduleId;
    try {
      await client.schedule.create(options);
      applied.push({ id, created: true });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(id).update((previous: ScheduleDescription) => ({
        spec: options.spec,
        action: options.action,
        policies: options.policies,
        state: previous.state.paused
          ? { paused: true, note: previous.state.note }
          : { note: options.state?.note },
      }));
      applied.push({ id, created: false });
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
