// The three shapes the orchestration benchmark compares (orchestration-cost.ts), bundled with its
// worker. Timeouts and retries as the pipeline's page activities have them (workflows/activity-options.ts).
import { proxyActivities, proxyLocalActivities, RetryPolicy } from '@temporalio/workflow';
import { pool } from '../../workflows/pool';
import type * as activities from './orchestration-activities';

const retry: RetryPolicy = { maximumAttempts: 3, initialInterval: '1 second' };
const regular = proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry,
});
// Local activities have no heartbeat: the workflow task they run in is what the worker heartbeats.
const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1 minute', retry });

const pageNumbers = (pages: number) => Array.from({ length: pages }, (_, i) => i + 1);

/** (a) One regular activity per page, `inFlight` at once, as readPages schedules them. */
export async function pagePerActivity(pages: number, inFlight: number): Promise<number> {
  const done = await pool(pageNumbers(pages), inFlight, (page) => regular.benchPage(page));
  return done.length;
}

/** (b) One local activity per page, `inFlight` at once. */
export async function pagePerLocalActivity(pages: number, inFlight: number): Promise<number> {
  const done = await pool(pageNumbers(pages), inFlight, (page) => local.benchPage(page));
  return done.length;
}

/** (c) Page runs: one activity per `pagesPerRun` pages, one after another, as readPageRuns runs them. */
export async function pageRuns(pages: number, pagesPerRun: number): Promise<number> {
  let runs = 0;
  for (let first = 1; first <= pages; first += pagesPerRun) {
    await regular.benchPageRun(first, Math.min(pagesPerRun, pages - first + 1));
    runs++;
  }
  return runs;
}
