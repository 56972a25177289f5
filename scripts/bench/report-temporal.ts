// The report's Temporal sections: the actions a sync would be billed in Temporal Cloud, by kind and by
// activity type, and the incremental run step by step.
import { rowsOf } from './report-footprint';
import { int, markdownTable, sec } from './report-format';
import type { RunHistories, SizeResult } from './results';
import type { RunSteps } from './run-steps';
import type { TemporalActions } from './temporal-actions';

interface Measured {
  size: string;
  run: string;
  actions: TemporalActions;
  steps: RunSteps;
  /** Rows a full sync stores (for actions per 100k rows). */
  rows?: number;
}

/** Every run whose histories were read: per size, the full sync and incremental run of each configuration. */
function measured(results: SizeResult[]): Measured[] {
  return results.flatMap((r) => {
    const of = (h: RunHistories | undefined, label: string, rows: number): Measured[] =>
      h
        ? [
            { size: r.size, run: `full sync${label}`, ...h.full, rows },
            ...(h.incremental ? [{ size: r.size, run: `incremental${label}`, ...h.incremental }] : []),
          ]
        : [];
    return [
      ...of(r.histories, '', rowsOf(r.counts)),
      ...of(r.allResources?.histories, ', 16 resources', rowsOf(r.allResources?.counts ?? {})),
    ];
  });
}

export function actionsTable(results: SizeResult[]): string[] {
  return markdownTable(
    [
      'size',
      'run',
      'workflows (children)',
      'activity attempts',
      'timers',
      'signals',
      'SA upserts',
      'markers',
      'heartbeats, est.',
      'actions',
      'per 100k rows',
    ],
    measured(results).map(({ size, run, actions: a, rows }) => [
      size,
      run,
      `${int(a.workflowsStarted)} (${int(a.childWorkflowsInitiated)})`,
      int(a.activityAttempts),
      int(a.timers),
      int(a.signals),
      int(a.searchAttributeUpserts),
      int(a.markers),
      int(a.heartbeatsEstimated),
      `**${int(a.total)}**`,
      rows ? int((a.total * 100_000) / rows) : '–',
    ]),
    2,
  );
}

export function actionsByActivityTable(results: SizeResult[]): string[] {
  const rows = measured(results).flatMap(({ size, run, actions, steps }) =>
    Object.entries(actions.byActivityType)
      .sort(([, a], [, b]) => b.attempts - a.attempts)
      .map(([type, t]) => {
        const step = steps.steps.find((s) => s.kind === 'activity' && s.name === type);
        return [
          size,
          run,
          type,
          int(t.scheduled),
          int(t.attempts),
          int(t.heartbeatsEstimated),
          step ? `${sec(step.queuedMs / 1000)} s` : '–',
          step ? `${sec(step.busyMs / 1000)} s` : '–',
        ];
      }),
  );
  return markdownTable(
    [
      'size',
      'run',
      'activity type',
      'scheduled',
      'attempts',
      'heartbeats, est.',
      'queued, sum',
      'running, sum',
    ],
    rows,
    3,
  );
}

/** Runs per workflow type and markers per name, one line per run measured. */
export function workflowTypeLines(results: SizeResult[]): string[] {
  return measured(results).map(
    ({ size, run, actions }) =>
      `- ${size}, ${run}: ` +
      Object.entries(actions.byWorkflowType)
        .map(([type, n]) => `${type} ${int(n)}`)
        .join(', ') +
      (actions.continuedAsNew ? ` (${int(actions.continuedAsNew)} continued as new)` : '') +
      (Object.keys(actions.byMarkerName ?? {}).length
        ? `; markers: ${Object.entries(actions.byMarkerName)
            .map(([marker, n]) => `${marker} ${int(n)}`)
            .join(', ')}`
        : ''),
  );
}

/** The incremental runs, each step by step. */
export function incrementalStepLines(results: SizeResult[]): string[] {
  return measured(results)
    .filter((m) => m.run.startsWith('incremental'))
    .flatMap(({ size, run, steps }) => [
      '',
      `**${size}, ${run}**: ${sec(steps.wallMs / 1000)} s from the sync's start to its end; ` +
        `activities waited ${sec(steps.activityQueuedMs / 1000)} s in all from scheduled to started, ` +
        `${int(steps.workflowTasks)} workflow tasks ${sec(steps.workflowTaskQueuedMs / 1000)} s.`,
      '',
      ...markdownTable(
        ['step', 'kind', 'count', 'attempts (tasks)', 'first start', 'last end', 'queued, sum', 'busy, sum'],
        steps.steps.map((s) => [
          s.name,
          s.kind,
          int(s.count),
          int(s.attempts),
          `+${sec(s.firstStartMs / 1000)} s`,
          `+${sec(s.lastEndMs / 1000)} s`,
          `${sec(s.queuedMs / 1000)} s`,
          `${sec(s.busyMs / 1000)} s`,
        ]),
        2,
      ),
    ]);
}
