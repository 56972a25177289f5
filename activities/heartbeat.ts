// Activities heartbeat every few seconds while they work. A worker that dies mid-page stops
// heartbeating, so Temporal hands the page to another worker after the heartbeat timeout (seconds)
// instead of the start-to-close timeout (minutes); and a cancelled run's activities learn of it
// at their next heartbeat, which aborts their request.
import { Context } from '@temporalio/activity';

/** Often enough for a 10-second heartbeat timeout, even on a busy event loop. */
export const HEARTBEAT_EVERY_MS = 2_000;

/** The details each activity last recorded: the timer's heartbeats repeat them rather than clear them. */
const recorded = new WeakMap<Context, unknown>();

export async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  // No heartbeat at the start: each is a call to the server, and most pages end within the first
  // interval; the timeout (10 s) leaves room for the first one at 2 s.
  const timer = setInterval(() => ctx.heartbeat(recorded.get(ctx)), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Records where the activity stands: a retry reads it back (`info.heartbeatDetails`), and the Web UI
 * shows it on the pending activity. The SDK sends at most one heartbeat per 0.8 × heartbeat timeout,
 * the newest details; so a retry may find details a few seconds older than the last recorded.
 */
export function recordProgress(details: unknown): void {
  const ctx = Context.current();
  recorded.set(ctx, details);
  ctx.heartbeat(details);
}
