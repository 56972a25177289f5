// The recorded histories (test/histories/, see its README.md) replay on the workflow code as it is
// now: a change that would break runs still open when it is deployed fails here, before it ships.
// Replay needs no server. The histories are recorded by hand (npm run record-histories), never here.
import '../quiet-runtime';
import { strict as assert } from 'assert';
import * as path from 'path';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { defaultPayloadConverter } from '@temporalio/common';
import { syncIdOf } from '../../domain/workflow-ids';
import type { ReadContext, LegacySyncId } from '../../domain/types';
import * as workflows from '../../workflows';
import { bundleIncompatibleChange } from '../incompatible-change';
import {
  HISTORIES_DIR,
  keptSets,
  loadHistories,
  readManifest,
  RecordedHistory,
  SCENARIOS,
} from '../recorded-histories';

/** Each history's replay error (undefined when it replayed), by its file. */
async function replay(
  options: ReplayWorkerOptions,
  histories: RecordedHistory[],
): Promise<Map<RecordedHistory, Error | undefined>> {
  const byRun = new Map(histories.map((h) => [h.runId, h]));
  const errors = new Map<RecordedHistory, Error | undefined>();
  for await (const result of Worker.runReplayHistories(options, histories)) {
    const recorded = byRun.get(result.runId);
    assert.ok(recorded, `a replay result for a run not given: ${result.workflowId} ${result.runId}`);
    errors.set(recorded, result.error);
  }
  assert.equal(errors.size, histories.length, 'every history replayed');
  return errors;
}

const CURRENT_CODE: ReplayWorkerOptions = { workflowsPath: require.resolve('../../workflows') };
/** The workflow types the worker registers: the functions workflows/index.ts exports. */
const WORKFLOW_TYPES = Object.entries(workflows)
  .filter(([, v]) => typeof v === 'function')
  .map(([name]) => name)
  .sort();

describe('recorded workflow histories', function () {
  // Bundling the workflow code takes seconds; replaying ~60 histories a few more.
  this.timeout(120_000);
  const current = loadHistories(HISTORIES_DIR);
  const sets = [HISTORIES_DIR, ...keptSets()];

  it('cover every workflow type and every scenario, each showing its path', () => {
    assert.deepEqual(WORKFLOW_TYPES, [
      'changesWorkflow',
      'readPartWorkflow',
      'syncResourceWorkflow',
      'syncWorkflow',
    ]);
    assert.deepEqual([...new Set(current.map((h) => h.workflowType))].sort(), WORKFLOW_TYPES);
    const recorded = new Set(current.map((h) => h.scenario));
    for (const s of SCENARIOS) {
      assert.ok(recorded.has(s.scenario), `no histories of scenario ${s.scenario}`);
      assert.ok(s.taken(current.filter((h) => h.scenario === s.scenario)), `${s.scenario}: ${s.shows}`);
    }
    assert.match(readManifest(HISTORIES_DIR).recordedWith.commit, /^[0-9a-f]{40}$/);
  });

  it("give each resource's and part's sync id through syncIdOf, whatever name their input gave it", () => {
    for (const dir of sets) {
      const histories = dir === HISTORIES_DIR ? current : loadHistories(dir);
      const syncIds = new Set(
        histories.filter((h) => h.workflowType === 'syncWorkflow').map((h) => h.workflowId),
      );
      // A changes workflow is no part of a sync: it starts them, and each is recorded with it.
      for (const h of histories.filter((x) => x.workflowType === 'changesWorkflow')) {
        const started = (h.history.events ?? []).flatMap(
          (e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? [],
        );
        for (const id of started) assert.ok(syncIds.has(id), `${h.file}: ${id} is not a recorded sync`);
      }
      const parts = (x: RecordedHistory) => !['syncWorkflow', 'changesWorkflow'].includes(x.workflowType);
      for (const h of histories.filter(parts)) {
        const payload = h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
        assert.ok(payload, h.file);
        const input = defaultPayloadConverter.fromPayload<Partial<ReadContext> & LegacySyncId>(payload);
        assert.ok(syncIds.has(syncIdOf(input)), `${h.file}: ${syncIdOf(input)}`);
      }
    }
  });

  for (const dir of sets) {
    it(`replay without error on the current code: ${path.relative(HISTORIES_DIR, dir) || 'the current set'}`, async () => {
      const histories = dir === HISTORIES_DIR ? current : loadHistories(dir);
      const errors = await replay(CURRENT_CODE, histories);
      const failed = [...errors].filter(([, e]) => e).map(([h, e]) => `${h.file}: ${e?.message}`);
      assert.deepEqual(failed, [], 'a history of a build whose runs may still be open no longer replays');
    });
  }

  it('catch a change that is not patched: the resource syncs fail to replay with a determinism error', async () => {
    const { code } = await bundleIncompatibleChange();
    const errors = await replay({ workflowBundle: { code } }, current);
    for (const [h, error] of errors) {
      if (h.workflowType === 'syncResourceWorkflow') {
        assert.ok(error instanceof DeterminismViolationError, `${h.file}: ${error?.message ?? 'replayed'}`);
      } else {
        assert.equal(error, undefined, `${h.file}: the change is in syncResourceWorkflow only`);
      }
    }
    assert.ok(current.some((h) => h.workflowType === 'syncResourceWorkflow'));
  });
});
