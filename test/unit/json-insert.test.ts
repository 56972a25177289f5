// The streamed JSONEachRow text of an insert: every row once, one per line, in bounded chunks.
import { strict as assert } from 'assert';
import { CHUNK_CHARS, jsonLines } from '../../clickhouse/json-insert';

async function chunksOf(rows: unknown[]): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of jsonLines(rows)) out.push(String(chunk));
  return out;
}

describe('JSONEachRow stream', () => {
  it('holds every row, in order, whatever its characters', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      // Two-byte and four-byte characters, quotes and newlines inside values.
      text: `Schulung – Gr\u00fc\u00dfe "${i}"\n\u{1F600}`.repeat(5),
    }));
    const text = (await chunksOf(rows)).join('');
    const lines = text.split('\n');
    assert.equal(lines.pop(), '', 'every line ends in a newline');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as unknown),
      rows,
    );
  });

  it('is read in chunks of a few CHUNK_CHARS, never the whole insert at once', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, raw: 'x'.repeat(500) }));
    const chunks = await chunksOf(rows);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    assert.ok(total > 1_000_000, `${total} characters in all`);
    // A read takes what the stream holds: at most the chunk it fills and the one before.
    const longest = Math.max(...chunks.map((c) => c.length));
    assert.ok(longest <= 2 * (CHUNK_CHARS + 600), `longest read ${longest} characters`);
  });

  it('sends nothing for no rows', async () => {
    assert.deepEqual(await chunksOf([]), []);
  });
});
