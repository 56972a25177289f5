// What stuck means and how release-stuck picks its runs, without a server: the one-line reason, the
// grouping by sync run, the arguments, and what status prints.
import { strict as assert } from 'assert';
import { parseReleaseArgs, releasesOf } from '../../client/release-stuck';
import { UsageError } from '../../client/exit-codes';
import { formatStuckRuns } from '../../client/status';
import { describeTaskFailure, openRunsQuery, StuckRun } from '../../client/stuck-runs';

const NON_DETERMINISTIC = 24; // WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR

function stuck(workflowId: string, root: string): StuckRun {
  return {
    workflowId,
    runId: `${workflowId}-run`,
    type: 'syncResourceWorkflow',
    root: { workflowId: root, runId: `${root}-run` },
    since: new Date('2026-01-02T03:04:05Z'),
    attempts: 3,
    reason: 'workflow task failing (attempt 3): non deterministic error: [TMPRL1100] x',
  };
}

describe('stuck runs', () => {
  it('a task failure is its cause and the first line of its message, never more than a line', () => {
    assert.equal(
      describeTaskFailure(NON_DETERMINISTIC, '[TMPRL1100] Nondeterminism error: Activity type\nstack…'),
      'non deterministic error: [TMPRL1100] Nondeterminism error: Activity type',
    );
    const long = describeTaskFailure(NON_DETERMINISTIC, 'x'.repeat(1000));
    assert.ok(long.length <= 240 && long.endsWith('...'));
    assert.match(describeTaskFailure(9999, 'm'), /^unspecified: m$/);
  });

  it('lists only open runs of our workflow types on the task queue, quoting it', () => {
    const q = openRunsQuery("q'1");
    assert.match(q, /ExecutionStatus = 'Running'/);
    assert.match(q, /TaskQueue = 'q\\'1'/);
    assert.match(q, /WorkflowType IN \('syncWorkflow', 'syncResourceWorkflow', 'readPartWorkflow'\)/);
  });

  it('release-stuck ends each sync run once, and picks one by any of its ids', () => {
    const runs = [
      stuck('a/entries', 'sync-1'),
      stuck('a/work_times', 'sync-1'),
      stuck('b/entries', 'sync-2'),
    ];
    assert.deepEqual(
      releasesOf(runs).map((r) => [r.root.workflowId, r.stuck.map((s) => s.workflowId)]),
      [
        ['sync-1', ['a/entries', 'a/work_times']],
        ['sync-2', ['b/entries']],
      ],
    );
    assert.deepEqual(
      releasesOf(runs, 'sync-2-run').map((r) => r.root.workflowId),
      ['sync-2'],
    );
    assert.deepEqual(
      releasesOf(runs, 'a/work_times').map((r) => r.stuck.length),
      [1],
    );
    assert.throws(() => releasesOf(runs, 'nope'), UsageError);
    assert.deepEqual(releasesOf([]), []);
  });

  it('release-stuck takes an id and --yes, and refuses anything else', () => {
    assert.deepEqual(parseReleaseArgs([]), { yes: false, help: false });
    assert.deepEqual(parseReleaseArgs(['sync-1', '--yes']), { only: 'sync-1', yes: true, help: false });
    assert.throws(() => parseReleaseArgs(['--force']), /unknown option --force/);
    assert.throws(() => parseReleaseArgs(['a', 'b']), /one ID at most/);
  });

  it('status shows stuck runs first, with the command that frees them', () => {
    assert.deepEqual(formatStuckRuns([]), []);
    const lines = formatStuckRuns([stuck('a/entries', 'sync-1')]);
    assert.match(lines[0], /^STUCK: 1 workflow cannot go on/);
    assert.equal(
      lines[1],
      '  syncResourceWorkflow a/entries (sync run sync-1), since 2026-01-02T03:04:05.000Z',
    );
    assert.match(lines[2], /\[TMPRL1100\]/);
    assert.equal(lines.at(-1), '    npm run start-sync -- release-stuck --yes');
    assert.equal(formatStuckRuns([stuck('a/entries', 'sync-1')], false).length, 3);
  });
});
