// report and status read ClickHouse directly: a server that does not answer is exit code 3, a login
// or certificate it refuses is a setting to fix (exit 2), each naming the setting, the URL shown
// without its credentials.
import type { ClickHouseClient } from '@clickhouse/client';
import { checkClickHouseAccess } from '../clickhouse/connection';
import { ClickHouseError, classifyClickHouseError } from '../clickhouse/errors';
import { clickHouseSettings } from '../config/settings';
import { shownUrl } from '../config/shown-url';
import { ServiceUnreachable } from './exit-codes';

/** `vars` as given: the URL is shown as the user wrote it, less what shownUrl leaves out. */
export async function reachClickHouse(ch: ClickHouseClient, vars: Record<string, string>): Promise<void> {
  const settings = clickHouseSettings(vars);
  try {
    await ch.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((rs) => rs.json());
  } catch (e) {
    if (e instanceof ClickHouseError && classifyClickHouseError(e) === 'connection')
      throw new ServiceUnreachable(
        `cannot reach ClickHouse at ${shownUrl(vars.CLICKHOUSE_URL)} (CLICKHOUSE_URL): ${e.code ?? e.detail}`,
      );
    // A refused login or certificate becomes a SettingsError naming the setting; anything else stays.
    await checkClickHouseAccess(ch, settings);
    throw e;
  }
}
