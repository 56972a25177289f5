// What an upgrade costs when every stored row of a table is written once more: a table of entries
// filled by a release whose configuration lacked a column (as tables before `_hash` lacked it), then
// upgraded the way a worker does it (column added, rows mapped again from `_raw` in place, view made
// anew), then merged. Prints one JSON line of seconds and bytes on disk. Run by hand, not by tests.
//
//   ts-node scripts/bench/rewrite-rows.ts --database NAME [--rows 1000000]
import { generateDataset } from '../../api-server/data-generator';
import { connectClickHouse } from '../../clickhouse/connection';
import { recordToRow, Row } from '../../clickhouse/row-mapping';
import { ensureDatabase, ensureResourceTable } from '../../clickhouse/schema';
import { prepareResourceTable } from '../../clickhouse/table-rebuild';
import { insertRows } from '../../clickhouse/writer';
import { qualified } from '../../clickhouse/sql';
import { loadSourceConfig } from '../../config/load-source-config';
import { clickHouseSettings, readEnv, resolveVariables } from '../../config/settings';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const database = arg('--database');
  if (!database) throw new Error('--database is required');
  const total = Number(arg('--rows') ?? 1_000_000);
  const vars = { ...resolveVariables(readEnv()), CLICKHOUSE_DATABASE: database };
  const entries = loadSourceConfig(vars).resources.find((r) => r.name === 'entries');
  if (!entries) throw new Error('the configuration has no entries resource');
  // The release before: the same table without one column (the new release adds it).
  const older = {
    ...entries,
    columns: Object.fromEntries(Object.entries(entries.columns).filter(([name]) => name !== 'text')),
  };
  const ch = connectClickHouse(clickHouseSettings(vars));
  const seconds = async (step: () => Promise<unknown>) => {
    const t = performance.now();
    await step();
    return Math.round(performance.now() - t) / 1000;
  };
  const onDisk = async () => {
    const rs = await ch.query({
      query:
        `SELECT sum(bytes_on_disk) AS bytes, count() AS parts FROM system.parts ` +
        `WHERE database = '${database}' AND table = 'entries' AND active`,
      format: 'JSONEachRow',
    });
    const [r] = await rs.json<{ bytes: string; parts: string }>();
    return { mb: Math.round(Number(r.bytes) / 1e5) / 10, parts: Number(r.parts) };
  };
  try {
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await ensureDatabase(ch, database);
    await ensureResourceTable(ch, database, older);
    // 20,000 generated entries, copied under other ids up to `total`.
    const base = generateDataset(
      7,
      { customers: 40, projects: 150, absencesPerYear: 1, entries: 20_000, users: 12, years: [2025, 2026] },
      new Date('2026-11-20T12:00:00Z'),
    ).entries;
    const written = await seconds(async () => {
      for (let from = 0; from < total; from += 10_000) {
        const batch: Row[] = [];
        for (let i = from; i < Math.min(total, from + 10_000); i++) {
          const record = { ...base[i % base.length], id: i + 1 };
          const m = recordToRow(record, older, { syncedAt: Date.now(), syncId: 'bench', partition: '' });
          if (m.ok) batch.push({ ...m.row, _version: Date.now() });
        }
        await insertRows(ch, database, 'entries', batch);
      }
    });
    await ch.command({ query: `OPTIMIZE TABLE ${qualified(database, 'entries')} FINAL` });
    const before = await onDisk();
    // What a worker of the new release does: prepareDestination adds the column, the resource's own
    // sync maps the stored rows again.
    const alter = await seconds(() => ensureResourceTable(ch, database, entries));
    const remap = await seconds(() => prepareResourceTable({ ch, database }, entries));
    const unmerged = await onDisk();
    const viewCount = async () => {
      const rs = await ch.query({
        query: `SELECT count() AS n FROM ${qualified(database, 'entries_current')}`,
        format: 'JSONEachRow',
      });
      return Number((await rs.json<{ n: string }>())[0].n);
    };
    let rows = 0;
    const readUnmerged = await seconds(async () => (rows = await viewCount()));
    const merge = await seconds(() =>
      ch.command({ query: `OPTIMIZE TABLE ${qualified(database, 'entries')} FINAL` }),
    );
    const merged = await onDisk();
    const readMerged = await seconds(viewCount);
    const [{ version }] = await (
      await ch.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' })
    ).json<{ version: string }>();
    console.log(
      JSON.stringify({
        clickhouse: version,
        rows: total,
        viewRows: rows,
        firstWriteSeconds: written,
        alterSeconds: alter,
        remapSeconds: remap,
        mergeSeconds: merge,
        readViewUnmergedSeconds: readUnmerged,
        readViewMergedSeconds: readMerged,
        before,
        unmerged,
        merged,
      }),
    );
  } finally {
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await ch.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
