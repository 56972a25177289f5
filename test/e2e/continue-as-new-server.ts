// A Temporal dev server of the caller's own that suggests continue-as-new after a few events, so that
// reads of small datasets already go through several runs (the shared dev server suggests it only
// after thousands).
import * as path from 'path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { RESOURCES_KEY, ROWS_SYNCED_KEY, SYNC_MODE_KEY } from '../../domain/search-attributes';

const TEMPORAL_BIN = path.resolve(__dirname, '../../.services/temporal-cli/bin/temporal');

/** Events after which this server suggests continue-as-new. */
export const SUGGEST_CONTINUE_AS_NEW_AFTER = 40;

export function startContinueAsNewTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_BIN },
      searchAttributes: [RESOURCES_KEY, SYNC_MODE_KEY, ROWS_SYNCED_KEY],
      extraArgs: [
        '--dynamic-config-value',
        `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AFTER}`,
      ],
    },
  });
}

/** The address and namespace of such a server, for startHarness's `temporal` option. */
export const temporalOf = (env: TestWorkflowEnvironment) => ({
  address: env.connection.options.address,
  namespace: env.namespace ?? 'default',
});
