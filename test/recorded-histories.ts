// The workflow histories kept in test/histories/ (see its README.md): how a set of them is listed
// and read, and the path each scenario must show. The recorder (scripts/record-histories.ts) checks
// a new recording against these paths before writing it; the replay test checks the committed sets.
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyFromJSON } from './history-json';
import { temporal } from '@temporalio/proto';
import type { SyncInput, SyncSummary } from '../domain/types';

export const HISTORIES_DIR = path.resolve(__dirname, 'histories');
/** Sets recorded by earlier builds, one folder each, kept while runs of those builds may be open. */
export const KEPT_DIR = path.join(HISTORIES_DIR, 'kept');
export const MANIFEST = 'manifest.json';

export interface RecordedWith {
  /** The commit the recording ran on, and whether the workflow sources differed from it. */
  commit: string;
  sourcesChanged: boolean;
  /** The worker's hash of the sources its workflow bundle is built from (worker/workflow-bundle.ts). */
  workflowSources: string;
  date: string;
  sdk: string;
  temporalServer: string;
}

export interface ManifestEntry {
  scenario: string;
  /** Relative to the set's folder. */
  file: string;
  workflowType: string;
  workflowId: string;
  runId: string;
}

export interface Manifest {
  recordedWith: RecordedWith;
  histories: ManifestEntry[];
}

export interface RecordedHistory extends ManifestEntry {
  history: History;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
}

/** Every history of the set in `dir`, as its manifest lists them. */
export function loadHistories(dir: string): RecordedHistory[] {
  return readManifest(dir).histories.map((entry) => ({
    ...entry,
    history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, entry.file), 'utf8'))),
  }));
}

/** The folders of the kept sets of earlier builds. */
export function keptSets(): string[] {
  if (!existsSync(KEPT_DIR)) return [];
  return readdirSync(KEPT_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(KEPT_DIR, d.name))
    .sort();
}

// Reading a history's events.
const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

type Maybe = RecordedHistory | undefined;
const events = (h: Maybe): HistoryEvent[] => h?.history.events ?? [];
const last = (h: Maybe): HistoryEvent | undefined => events(h).at(-1);
const firstValue = <T>(p: Payloads): T | undefined =>
  p?.payloads?.[0] ? defaultPayloadConverter.fromPayload<T>(p.payloads[0]) : undefined;
const startOf = (h: Maybe) => events(h)[0]?.workflowExecutionStartedEventAttributes;
const inputOf = <T>(h: Maybe) => firstValue<T>(startOf(h)?.input);
const resultOf = <T>(h: Maybe) => firstValue<T>(last(h)?.workflowExecutionCompletedEventAttributes?.result);
const ofType = (hs: RecordedHistory[], type: string) => hs.filter((h) => h.workflowType === type);
/** The sync run the scenario started (the one history of syncWorkflow). */
const syncOf = (hs: RecordedHistory[]): Maybe => ofType(hs, 'syncWorkflow')[0];
const syncMode = (hs: RecordedHistory[]) => inputOf<SyncInput>(syncOf(hs))?.mode;
const summaryOf = (hs: RecordedHistory[]) => resultOf<SyncSummary>(syncOf(hs));
const endsWith = (h: Maybe, type: temporal.api.enums.v1.EventType) => last(h)?.eventType === type;
const holds = (h: Maybe, type: temporal.api.enums.v1.EventType) =>
  events(h).some((e) => e.eventType === type);
/** The workflow ids of the children a history started. */
const childIds = (h: Maybe) =>
  events(h).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);

/** The activity type of each ActivityTaskScheduled event, by event id. */
function activityTypes(h: RecordedHistory): Map<number, string> {
  const types = new Map<number, string>();
  for (const e of events(h)) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) types.set(Number(e.eventId), name);
  }
  return types;
}
const schedules = (h: RecordedHistory, activity: string) =>
  [...activityTypes(h).values()].some((t) => t === activity);

/** Children started before the first one closed: parts read in parallel. */
function childrenInFlightAtOnce(h: RecordedHistory): number {
  let started = 0;
  for (const e of events(h)) {
    if (e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) started++;
    if (e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED) break;
  }
  return started;
}

/** The activities that read pages: one a page (reads begun before the page-runs patch), or runs of pages. */
const PAGE_ACTIVITIES = new Set(['fetchPage', 'readPageRun']);
const isPageActivity = (type: string | null | undefined) => PAGE_ACTIVITIES.has(type ?? '');
/**
 * The histories that read parts: a part's own workflow, or its resource's, which reads a list or a
 * partition inline (workflows/read-part.ts, readPart).
 */
const partReaders = (hs: RecordedHistory[]) =>
  hs.filter((h) => h.workflowType === 'readPartWorkflow' || h.workflowType === 'syncResourceWorkflow');

/** A page's activity that failed (its retries ran out), then a timer, then that activity once more. */
function secondChanceTaken(h: RecordedHistory): boolean {
  const types = activityTypes(h);
  let failed = false;
  let waited = false;
  for (const e of events(h)) {
    const scheduled = Number(e.activityTaskFailedEventAttributes?.scheduledEventId ?? 0);
    if (isPageActivity(types.get(scheduled))) failed = true;
    if (failed && e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) waited = true;
    if (waited && isPageActivity(e.activityTaskScheduledEventAttributes?.activityType?.name)) return true;
  }
  return false;
}

export interface ScenarioPath {
  scenario: string;
  /** What in the scenario's histories shows the path was taken. */
  shows: string;
  taken(histories: RecordedHistory[]): boolean;
}

/** Every scenario a recording must hold: each a path of the workflows that matters on replay. */
export const SCENARIOS: ScenarioPath[] = [
  {
    scenario: 'full-refresh',
    shows: 'a full_refresh sync ending ok, with a list, partitions and windows read as parts',
    taken: (hs) =>
      syncMode(hs) === 'full_refresh' &&
      summaryOf(hs)?.outcome === 'ok' &&
      ofType(hs, 'syncResourceWorkflow').length === 3 &&
      ofType(hs, 'readPartWorkflow').length > 3,
  },
  {
    scenario: 'incremental',
    shows: 'an incremental sync ending ok whose windowed resource read its cursor and recorded a new one',
    taken: (hs) =>
      syncMode(hs) === 'incremental' &&
      summaryOf(hs)?.outcome === 'ok' &&
      ofType(hs, 'syncResourceWorkflow').some(
        (h) => schedules(h, 'readCursor') && schedules(h, 'recordCursor'),
      ),
  },
  {
    scenario: 'reconcile',
    shows:
      'a reconcile sync ending ok whose resource started several window children before the first closed',
    taken: (hs) =>
      syncMode(hs) === 'reconcile' &&
      summaryOf(hs)?.outcome === 'ok' &&
      ofType(hs, 'syncResourceWorkflow').some((h) => childrenInFlightAtOnce(h) > 1),
  },
  {
    scenario: 'continue-as-new',
    shows: 'a part run ending in WorkflowExecutionContinuedAsNew, and a continued run of it that completed',
    taken: (hs) =>
      ofType(hs, 'readPartWorkflow').some((h) =>
        endsWith(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW),
      ) &&
      ofType(hs, 'readPartWorkflow').some(
        (h) =>
          !!startOf(h)?.continuedExecutionRunId &&
          endsWith(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
      ),
  },
  {
    scenario: 'degraded',
    shows: 'a sync ending degraded: a part never read consistently, nothing marked deleted there',
    taken: (hs) =>
      summaryOf(hs)?.outcome === 'degraded' &&
      (summaryOf(hs)?.resources ?? []).some((r) => r.degraded.some((d) => /nothing marked deleted/.test(d))),
  },
  {
    scenario: 'held-back',
    shows: 'a sync ending degraded with deletions held back and the note that says so',
    taken: (hs) =>
      summaryOf(hs)?.outcome === 'degraded' &&
      (summaryOf(hs)?.resources ?? []).some(
        (r) => r.heldBack > 0 && r.notes.some((n) => /held back/.test(n)),
      ),
  },
  {
    scenario: 'second-chance',
    shows:
      'a page activity (or page run) failed (retries out), a timer, the page scheduled again, in the ' +
      "part's workflow or its resource's; the sync ends ok",
    taken: (hs) => summaryOf(hs)?.outcome === 'ok' && partReaders(hs).some(secondChanceTaken),
  },
  {
    scenario: 'failed',
    shows:
      'a page that failed its second chance too: the workflow that read its part (its own or its ' +
      "resource's) and the sync end in WorkflowExecutionFailed",
    taken: (hs) =>
      partReaders(hs).some(
        (h) =>
          secondChanceTaken(h) &&
          /second chance/.test(last(h)?.workflowExecutionFailedEventAttributes?.failure?.message ?? ''),
      ) && endsWith(syncOf(hs), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED),
  },
  {
    scenario: 'cancelled',
    shows:
      'a sync cancelled while pages were in flight: it and its children end in WorkflowExecutionCanceled',
    taken: (hs) =>
      endsWith(syncOf(hs), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED) &&
      ofType(hs, 'readPartWorkflow').some((h) =>
        endsWith(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED),
      ),
  },
  {
    scenario: 'scheduled',
    shows: 'a sync started by a Temporal Schedule (TemporalScheduledById, trigger schedule:…) ending ok',
    taken: (hs) =>
      !!startOf(syncOf(hs))?.searchAttributes?.indexedFields?.TemporalScheduledById &&
      (inputOf<SyncInput>(syncOf(hs))?.trigger ?? '').startsWith('schedule:') &&
      summaryOf(hs)?.outcome === 'ok',
  },
  {
    scenario: 'webhook',
    shows:
      'a changes workflow that took a batch of webhook events (WorkflowExecutionSignaled, recordWebhookEvents), ' +
      'started an incremental child sync (trigger webhook) that ended ok, and completed when idle',
    taken: (hs) =>
      ofType(hs, 'changesWorkflow').some(
        (h) =>
          holds(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) &&
          holds(h, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) &&
          schedules(h, 'recordWebhookEvents') &&
          childIds(h).includes(syncOf(hs)?.workflowId ?? '') &&
          endsWith(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
      ) &&
      syncMode(hs) === 'incremental' &&
      inputOf<SyncInput>(syncOf(hs))?.trigger === 'webhook' &&
      summaryOf(hs)?.outcome === 'ok',
  },
];
