// The progress queries of the sync and resource workflows, asked by their names. Runs of builds from
// before the queries had distinct names (runs stay on the build that started them) answer only
// `progress`, so a query such a run does not know is asked again under that name.
import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

const FORMER_NAME = 'progress';

export async function queryProgress<T>(handle: WorkflowHandle, query: QueryDefinition<T, []>): Promise<T> {
  try {
    return await handle.query(query);
  } catch (err) {
    return handle.query<T>(FORMER_NAME).catch(() => {
      throw err;
    });
  }
}
