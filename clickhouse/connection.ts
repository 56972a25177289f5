// One ClickHouse client per process, with the settings every query of the engine relies on.
import { createClient, ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseSettings } from '../config/settings';

export function connectClickHouse(settings: ClickHouseSettings): ClickHouseClient {
  return createClient({
    url: settings.url,
    username: settings.user,
    password: settings.password,
    clickhouse_settings: {
      // Integers as JSON numbers (ids fit in 2^53), so rows read back compare with the API's records.
      output_format_json_quote_64bit_integers: 0,
    },
  });
}
