// Rows into a table as JSONEachRow, streamed. The client's own insert of an array joins every row
// into one string and copies it into a buffer: 12 MB each for 10,000 entries (24 MB when one
// character needs two bytes), and a worker running eight page runs at 1,000,000 entries ran out of
// heap on them. Here rows are encoded as the request takes them, a chunk of about 64 KB at a time,
// and in a third less CPU (measured: 50 against 73 ms per 10,000 entries).
import { Readable } from 'stream';
import { finished } from 'stream/promises';
import type { ClickHouseClient } from '@clickhouse/client';

/** Characters encoded before the request takes them: a chunk of the request body. */
export const CHUNK_CHARS = 64 * 1024;

/** The rows as JSONEachRow text, encoded lazily, a chunk at a time. */
export function jsonLines(rows: Iterable<unknown>): Readable {
  function* chunks() {
    let text = '';
    for (const row of rows) {
      text += `${JSON.stringify(row)}\n`;
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
    if (text) yield text;
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * Inserts rows into `table` (qualified: `db`.`t`) in one statement: one part, as ClickHouse likes.
 * `rows` is read once, while the request is sent. Callers skip an empty insert (it is still a request).
 */
export async function insertJsonEachRow(
  ch: ClickHouseClient,
  table: string,
  rows: Iterable<unknown>,
): Promise<void> {
  const result = await ch.exec({ query: `INSERT INTO ${table} FORMAT JSONEachRow`, values: jsonLines(rows) });
  // The answer is empty; read to its end, so that the connection goes back to the pool.
  result.stream.resume();
  await finished(result.stream);
}
