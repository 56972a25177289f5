// The command-line tools' connection to Temporal: one place for its timeout and its messages.
import { Client, Connection } from '@temporalio/client';
import { describeProblems, searchAttributeProblemsIfVisible } from '../config/temporal-search-attributes';
import { SettingsError } from '../config/settings';
import { TemporalSettings } from '../config/temporal-settings';
import { ServiceUnreachable } from './exit-codes';

/** A connection, or a ServiceUnreachable saying where and how it tried (exit code 3). */
export async function connectTemporal(temporal: TemporalSettings): Promise<Connection> {
  try {
    return await Connection.connect({ ...temporal.connection, connectTimeout: '5 seconds' });
  } catch (e) {
    // The server's own reason (a refused API key, say) is in the cause.
    const cause = (e as Error).cause as { details?: string; message?: string } | undefined;
    const why = [(e as Error).message, cause?.details ?? cause?.message].filter(Boolean).join(': ');
    const local = temporal.address === '127.0.0.1:7233' ? ' (npm run services:start?)' : '';
    throw new ServiceUnreachable(
      `cannot reach Temporal at ${temporal.address} (${temporal.security}): ${why}${local}`,
    );
  }
}

/** Runs `use` with a client of the settings' namespace on a connection of its own, closed after it. */
export async function withTemporalClient<T>(
  temporal: TemporalSettings,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const connection = await connectTemporal(temporal);
  try {
    return await use(new Client({ connection, namespace: temporal.namespace }));
  } finally {
    await connection.close();
  }
}

/** Throws a SettingsError saying what to run when the namespace lacks our search attributes (exit 2). */
export async function requireNamespaceReady(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<void> {
  const problems = await searchAttributeProblemsIfVisible(connection.operatorService, namespace);
  if (problems !== null && problems.length > 0)
    throw new SettingsError(describeProblems(namespace, problems));
}
