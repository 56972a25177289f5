// Activities heartbeat every few seconds while they work. A worker that dies mid-page stops
// heartbeating, so Temporal hands the page to another worker after the heartbeat timeout (seconds)
// instead of the start-to-close timeout (minutes); and a cancelled run's activities learn of it
// at their next heartbeat, which aborts their request.
import { Context } from '@temporalio/activity';

/** Often enough for a 10-second heartbeat timeout, even on a busy event loop. */
export const HEARTBEAT_EVERY_MS = 2_000;

export async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  // No heartbeat at the start: each is a call to the server, and most pages end within the first
  // interval; the timeout (10 s) leaves room for the first one at 2 s.
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
