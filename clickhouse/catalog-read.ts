// Reads of ClickHouse's catalogue (system.tables, system.columns). On 18.16 such a read fails with
// UNKNOWN_TABLE (60) when another table of the database is dropped while it is listed, as a
// concurrent resource's rebuild does: that is a race, not a missing table, so the read is repeated.
import type { ClickHouseClient } from '@clickhouse/client';
import { clickHouseCode } from './errors';

const ATTEMPTS = 5;

/** The rows of a catalogue query, read again when a table vanished while it was being listed. */
export async function readCatalogue<T>(ch: ClickHouseClient, query: string): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const rs = await ch.query({ query, format: 'JSONEachRow' });
      return await rs.json<T>();
    } catch (e) {
      const code = clickHouseCode(e as { code?: unknown; message?: unknown });
      if (code !== '60' || attempt >= ATTEMPTS) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
