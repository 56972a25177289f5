// Temporal's retry policy from the configuration's retry rules. HTTP statuses that must fail at once
// arrive as non-retryable failures from the activity itself; everything else retries with backoff.
import type { ActivityOptions } from '@temporalio/workflow';
import type { RetryConfig } from '../config/source-config-types';

export function pageActivityOptions(retry: RetryConfig): ActivityOptions {
  return {
    startToCloseTimeout: '5 minutes',
    retry: {
      maximumAttempts: retry.max_retries + 1,
      backoffCoefficient: retry.backoff_factor,
      initialInterval: retry.initial_interval_seconds * 1000,
      maximumInterval: retry.max_interval_seconds * 1000,
      nonRetryableErrorTypes: ['MissingSecret', 'UnexpectedResponseShape'],
    },
  };
}

/** The run history is written at the very end: a few tries, so a broken destination does not hold the run. */
export const runHistoryActivityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
};

/** Schema work and deletion marking talk only to ClickHouse: more patience for a restarting server. */
export const destinationActivityOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  retry: {
    maximumAttempts: 10,
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
  },
};
