// `npm run temporal:setup`: registers the search attributes our workflows set in the configured
// namespace (TEMPORAL_NAMESPACE, or the profile's), once per namespace, on any Temporal cluster.
// The dev server that services:start runs has them already. Safe to run again.
import { readEnv, resolveVariables } from '../config/settings';
import { registerSearchAttributes } from '../config/temporal-search-attributes';
import { connectOrSay, temporalSettingsOrSay } from './temporal-connection';

const NOT_FOUND = 5;

async function main(): Promise<number> {
  const temporal = temporalSettingsOrSay(resolveVariables(readEnv()));
  if (!temporal) return 2;
  const connection = await connectOrSay(temporal);
  if (!connection) return 3;
  try {
    const { namespace } = temporal;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (e) {
      if ((e as { code?: number }).code !== NOT_FOUND) throw e;
      console.error(
        `Temporal at ${temporal.address} has no namespace ${namespace}: create it first ` +
          `(temporal operator namespace create --namespace ${namespace}, or in the Temporal Cloud UI)`,
      );
      return 2;
    }
    const { added, present } = await registerSearchAttributes(connection.operatorService, namespace);
    for (const name of added) console.log(`added search attribute ${name} to namespace ${namespace}`);
    for (const name of present) console.log(`search attribute ${name} already in namespace ${namespace}`);
    return 0;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`temporal:setup: ${(err as Error).message}`);
    process.exit(1);
  },
);
