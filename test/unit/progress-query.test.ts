// Runs of builds before the progress queries had distinct names answer only `progress`.
import { strict as assert } from 'assert';
import type { WorkflowHandle } from '@temporalio/client';
import { queryProgress } from '../../client/progress-query';
import { resourceProgressQuery } from '../../workflows';

/** A handle whose run answers the query names given, and fails the others. */
const handleAnswering = (answers: Record<string, unknown>) =>
  ({
    query: (q: string | { name: string }) => {
      const name = typeof q === 'string' ? q : q.name;
      return name in answers ? Promise.resolve(answers[name]) : Promise.reject(new Error(`no query ${name}`));
    },
  }) as unknown as WorkflowHandle;

describe('queryProgress', () => {
  it('asks the query by its name', async () => {
    const h = handleAnswering({ resourceProgress: 'new', progress: 'old' });
    assert.equal(await queryProgress(h, resourceProgressQuery), 'new');
  });

  it('asks a run of an earlier build under the former name', async () => {
    assert.equal(await queryProgress(handleAnswering({ progress: 'old' }), resourceProgressQuery), 'old');
  });

  it("fails with the query's own error when the run answers neither", async () => {
    await assert.rejects(
      queryProgress(handleAnswering({}), resourceProgressQuery),
      /no query resourceProgress/,
    );
  });
});
