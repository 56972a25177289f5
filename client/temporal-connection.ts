// The command-line tools' connection to Temporal: one place for its timeout and its message.
import { Connection } from '@temporalio/client';
import type { TemporalSettings } from '../config/settings';

/** A connection, or null after saying on stderr that Temporal cannot be reached (exit code 3). */
export async function connectOrSay(temporal: TemporalSettings): Promise<Connection | null> {
  try {
    return await Connection.connect({ address: temporal.address, connectTimeout: '5 seconds' });
  } catch (e) {
    console.error(
      `cannot reach Temporal at ${temporal.address}: ${(e as Error).message} (npm run services:start?)`,
    );
    return null;
  }
}
