// The command-line tools' connection to Temporal: one place for its timeout and its messages.
import { Connection } from '@temporalio/client';
import { describeProblems, searchAttributeProblemsIfVisible } from '../config/temporal-search-attributes';
import { SettingsError } from '../config/settings';
import { temporalSettings, TemporalSettings } from '../config/temporal-settings';

/** The settings' Temporal connection, or null after saying on stderr what is wrong (exit code 2). */
export function temporalSettingsOrSay(vars: Record<string, string>): TemporalSettings | null {
  try {
    return temporalSettings(vars);
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    console.error(e.message);
    return null;
  }
}

/** A connection, or null after saying on stderr that Temporal cannot be reached (exit code 3). */
export async function connectOrSay(temporal: TemporalSettings): Promise<Connection | null> {
  try {
    return await Connection.connect({ ...temporal.connection, connectTimeout: '5 seconds' });
  } catch (e) {
    // The server's own reason (a refused API key, say) is in the cause.
    const cause = (e as Error).cause as { details?: string; message?: string } | undefined;
    const why = [(e as Error).message, cause?.details ?? cause?.message].filter(Boolean).join(': ');
    const local = temporal.address === '127.0.0.1:7233' ? ' (npm run services:start?)' : '';
    console.error(`cannot reach Temporal at ${temporal.address} (${temporal.security}): ${why}${local}`);
    return null;
  }
}

/** Whether the namespace has our search attributes; if not, says what to run (exit code 2). */
export async function namespaceReadyOrSay(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<boolean> {
  const problems = await searchAttributeProblemsIfVisible(connection.operatorService, namespace);
  if (problems === null || problems.length === 0) return true;
  console.error(describeProblems(namespace, problems));
  return false;
}
