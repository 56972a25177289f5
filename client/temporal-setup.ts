// `npm run temporal:setup`: registers the search attributes our workflows set in the configured
// namespace (TEMPORAL_NAMESPACE, or the profile's), once per namespace, on any Temporal cluster.
// The dev server that services:start runs has them already. Safe to run again.
// Exit codes (client/exit-codes.ts): 0 done, 1 failed, 2 bad setting or no such namespace, 3 Temporal unreachable.
import { readEnv, resolveVariables, SettingsError } from '../config/settings';
import { registerSearchAttributes } from '../config/temporal-search-attributes';
import { temporalSettings } from '../config/temporal-settings';
import { EXIT, runCommand } from './exit-codes';
import { withTemporalClient } from './temporal-connection';

const NOT_FOUND = 5;

async function main(): Promise<number> {
  const temporal = temporalSettings(resolveVariables(readEnv()));
  return withTemporalClient(temporal, async ({ connection }) => {
    const { namespace } = temporal;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (e) {
      if ((e as { code?: number }).code !== NOT_FOUND) throw e;
      throw new SettingsError(
        `TEMPORAL_NAMESPACE: Temporal at ${temporal.address} has no namespace ${namespace}: create it first ` +
          `(temporal operator namespace create --namespace ${namespace}, or in the Temporal Cloud UI)`,
      );
    }
    const { added, present } = await registerSearchAttributes(connection.operatorService, namespace);
    for (const name of added) console.log(`added search attribute ${name} to namespace ${namespace}`);
    for (const name of present) console.log(`search attribute ${name} already in namespace ${namespace}`);
    return EXIT.OK;
  });
}

runCommand('temporal:setup', main);
