// Temporal's retry policy from the configuration's retry rules. HTTP statuses that must fail at once
// arrive as non-retryable failures from the activity itself; everything else retries with backoff.
import type { ActivityOptions } from '@temporalio/workflow';
import type { RetryConfig } from '../domain/source-config';

/**
 * Activities heartbeat every 2 s (activities/heartbeat.ts): a worker that dies mid-activity is noticed
 * after this, and the activity retried elsewhere, instead of after its start-to-close timeout.
 */
export const HEARTBEAT_TIMEOUT = '10 seconds';

export function pageActivityOptions(retry: RetryConfig, requestTimeoutSeconds = 60): ActivityOptions {
  return {
    // One request (cut at the configured request timeout) and the page's writes to ClickHouse.
    startToCloseTimeout: (requestTimeoutSeconds + 120) * 1000,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: {
      maximumAttempts: retry.max_retries + 1,
      backoffCoefficient: retry.backoff_factor,
      initialInterval: retry.initial_interval_seconds * 1000,
      maximumInterval: retry.max_interval_seconds * 1000,
      nonRetryableErrorTypes: ['MissingSecret', 'UnexpectedResponseShape'],
    },
  };
}

/** A page run: its budget of seconds, then the pages in flight (each within the request timeout) and one insert. */
export function pageRunActivityOptions(
  retry: RetryConfig,
  requestTimeoutSeconds = 60,
  budgetSeconds = 30,
): ActivityOptions {
  const page = pageActivityOptions(retry, requestTimeoutSeconds);
  return { ...page, startToCloseTimeout: (budgetSeconds + requestTimeoutSeconds + 120) * 1000 };
}

/** Reading again the pages where keys collided: the page's retry policy, with time for several pages. */
export function keyCollisionActivityOptions(retry: RetryConfig, requestTimeoutSeconds = 60): ActivityOptions {
  return { ...pageActivityOptions(retry, requestTimeoutSeconds), startToCloseTimeout: '15 minutes' };
}

/** The run history is written at the very end: a few tries, so a broken destination does not hold the run. */
export const runHistoryActivityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
};

/** Schema work and deletion marking talk only to ClickHouse: more patience for a restarting server. */
export const destinationActivityOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: {
    maximumAttempts: 10,
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
  },
};
