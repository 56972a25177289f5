// The benchmark's readings of a sync's histories (Temporal actions, steps) and its report's shape: no
// generated line past the docs' 200 characters, even with L's figures and all 16 resources.
import { strict as assert } from 'assert';
import { format } from 'prettier';
import { temporal } from '@temporalio/proto';
import { renderReport } from '../../scripts/bench/report';
import { overlongLines } from '../../scripts/bench/report-format';
import type { Run, SizeResult } from '../../scripts/bench/results';
import { runSteps } from '../../scripts/bench/run-steps';
import { SIZES } from '../../scripts/bench/sizes';
import { countActions } from '../../scripts/bench/temporal-actions';
import type { HistoryEvent, RunHistory } from '../../scripts/bench/workflow-histories';

const T = temporal.api.enums.v1.EventType;
const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/** A history from [event type, ms, attributes] triples, numbered from 1 (proto's Long fields as numbers). */
function history(workflowType: string, events: [number, number, object?][]): RunHistory {
  return {
    workflowId: workflowType,
    runId: `${workflowType}-run`,
    workflowType,
    events: events.map(([eventType, ms, attrs], i) => ({
      eventId: i + 1,
      eventType,
      eventTime: at(ms),
      ...attrs,
    })) as unknown as HistoryEvent[],
  };
}

const sync = history('syncWorkflow', [
  [T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0, { workflowExecutionStartedEventAttributes: {} }],
  [T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0, { workflowTaskScheduledEventAttributes: {} }],
  [T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 50, { workflowTaskStartedEventAttributes: {} }],
  [T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 60, { workflowTaskCompletedEventAttributes: {} }],
  [T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, 60, { upsertWorkflowSearchAttributesEventAttributes: {} }],
  [
    T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    60,
    {
      activityTaskScheduledEventAttributes: {
        activityType: { name: 'readPageRun' },
        heartbeatTimeout: { seconds: 10 },
      },
    },
  ],
  [
    T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    60,
    { startChildWorkflowExecutionInitiatedEventAttributes: {} },
  ],
  [
    T.EVENT_TYPE_ACTIVITY_TASK_STARTED,
    1060,
    { activityTaskStartedEventAttributes: { scheduledEventId: 6, attempt: 2 } },
  ],
  [
    T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    18060,
    { activityTaskCompletedEventAttributes: { scheduledEventId: 6 } },
  ],
  [T.EVENT_TYPE_TIMER_STARTED, 18100, { timerStartedEventAttributes: {} }],
  [T.EVENT_TYPE_MARKER_RECORDED, 18100, { markerRecordedEventAttributes: { markerName: 'core_patch' } }],
  [T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, 18200, { workflowExecutionSignaledEventAttributes: {} }],
  [T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 20000, { workflowExecutionCompletedEventAttributes: {} }],
]);
const child = history('readPartWorkflow', [
  [T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 100, { workflowExecutionStartedEventAttributes: {} }],
  [T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 900, { workflowExecutionCompletedEventAttributes: {} }],
]);

describe('bench: Temporal actions and steps from histories', () => {
  it('counts each billable kind, attempts with retries, and heartbeats per 8 s of an attempt', () => {
    const a = countActions([sync, child]);
    assert.equal(a.workflowsStarted, 2);
    assert.equal(a.childWorkflowsInitiated, 1);
    assert.equal(a.activityAttempts, 2, 'the attempt number counts the retry');
    assert.equal(a.heartbeatsEstimated, 2, '17 s of running: floor(17 / 8)');
    assert.equal(a.timers, 1);
    assert.equal(a.signals, 1);
    assert.equal(a.searchAttributeUpserts, 1);
    assert.equal(a.markers, 1);
    assert.deepEqual(a.byMarkerName, { core_patch: 1 });
    assert.equal(a.total, 2 + 2 + 2 + 1 + 1 + 1 + 1, 'child starts are among the workflows started');
    assert.deepEqual(a.byActivityType, {
      readPageRun: { scheduled: 1, attempts: 2, heartbeatsEstimated: 2 },
    });
  });

  it('lists the steps in the order they first started, with their queue time', () => {
    const r = runSteps([sync, child]);
    assert.equal(r.wallMs, 20_000);
    assert.equal(r.activityQueuedMs, 1000);
    assert.equal(r.workflowTaskQueuedMs, 50);
    assert.deepEqual(
      r.steps.map((s) => `${s.kind} ${s.name} ${s.count} +${s.firstStartMs}..+${s.lastEndMs}`),
      [
        'workflow syncWorkflow 1 +0..+20000',
        'workflow readPartWorkflow 1 +100..+900',
        'activity readPageRun 1 +1060..+18060',
      ],
    );
  });
});

describe('bench: report', () => {
  it('keeps every generated line within 200 characters, with L figures and all 16 resources', async () => {
    const runs = sync;
    const actions = countActions([runs, child]);
    const steps = runSteps([runs, child]);
    const run = (seconds: number): Run => ({
      seconds,
      server: { requests: 10_460, servingMs: 123_456, cpuMs: 86_200 },
      pages: 10_460,
      cpu: { worker: 135.2, 'API server': 86.2, ClickHouse: 118.5, Temporal: 37.7, 'raw loader': 59 },
      memory: {
        startMb: 170,
        sampledPeakMb: 376,
        peakAtSeconds: 123.4,
        seconds: 204.3,
        hwmMb: 380,
        peakMb: 380,
        processes: 1,
        samples: 1000,
      },
      parts: {
        byTable: { entries: 10_000, _sync_seen: 10_460, work_times_with_a_long_name: 1234 },
        total: 21_694,
      },
    });
    const result = (size: 'S' | 'M' | 'L'): SizeResult => ({
      size,
      spec: SIZES[size],
      counts: { projects: 20_000, absences: 20_000, customers: 5_000, entries: 1_000_000 },
      pipeline: [run(204.3), run(191.3), run(217.2)],
      incremental: [{ ...run(13.04), changed: 1000 }],
      raw: [run(99.1), run(93.5)],
      plain: [run(21.4), run(20.1)],
      dlt: [run(1194.3), run(1184.1)],
      checks: [
        {
          what: 'pipeline, full sync',
          diff: { lost: 0, extra: 0, duplicated: 0, different: 0, floatUlp: 16 },
        },
      ],
      temporal: {
        workflows: 1234,
        historyEvents: 123_456,
        pages: 10_460,
        dispatchMedianMs: 1234,
        dispatchP95Ms: 12_345,
        activityMedianMs: 1866,
        workflowTaskMsPerPage: 12.3,
      },
      histories: { full: { actions, steps }, incremental: { actions, steps } },
      allResources: {
        counts: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`resource_${i}`, 123_456])),
        pipeline: [run(1062.3)],
        incremental: [{ ...run(113.0), changed: 1000 }],
        histories: { full: { actions, steps }, incremental: { actions, steps } },
      },
      workerPeakMb: 406,
      apiPeakMb: 4321,
      dltVersion: '1.31.0',
    });
    const markdown = renderReport({
      date: new Date('2026-12-05T12:00:00Z'),
      args: ['--sizes', 'S,M,L', '--runs', '3', '--runs-at-l', '2', '--all-resources'],
      runs: 3,
      results: [result('S'), result('M'), result('L')],
      clickhouseVersion: '18.16.1',
    });
    // As scripts/generated-doc.ts writes the page.
    const page = await format(markdown, { parser: 'markdown', proseWrap: 'always', printWidth: 110 });
    assert.deepEqual(overlongLines(page), []);
    for (const heading of [
      'Full sync',
      'Pipeline, 16 resources',
      "The worker's memory",
      'ClickHouse parts',
      'Temporal actions',
      'Incremental run, step by step',
      'Targets',
      'Previous figures',
    ])
      assert.ok(page.includes(`## ${heading}\n`), heading);
    assert.match(page, /full sync at L within 1\.6x the plain loader +\| 9\.85x +\| \*\*not met\*\*/);
  });
});
