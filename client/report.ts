// `npm run report`: what is in ClickHouse now, per resource (current records, stored versions,
// deletions, rows with shape warnings), plus what sits in quarantine.
import { connectClickHouse } from '../clickhouse/connection';
import { QUARANTINE_TABLE } from '../clickhouse/schema';
import { ident, sqlString } from '../clickhouse/sql';
import { loadSourceConfig } from '../config/load-source-config';
import { clickHouseSettings, readEnv, resolveVariables } from '../config/settings';

interface Line {
  current: number;
  stored: number;
  deleted: number;
  shape: number;
  last_sync: string;
}

async function main(): Promise<void> {
  const vars = resolveVariables(readEnv());
  const config = loadSourceConfig(vars);
  const settings = clickHouseSettings(vars);
  const ch = connectClickHouse(settings);
  const db = ident(settings.database);
  try {
    console.log(`ClickHouse ${settings.url}, database ${settings.database}`);
    console.log(
      `${'table'.padEnd(20)} ${'current'.padStart(8)} ${'stored'.padStart(8)} ${'deleted'.padStart(8)} ${'odd shape'.padStart(9)}  last synced (UTC)`,
    );
    for (const r of config.resources) {
      const t = ident(r.name);
      const exists = await ch.query({
        query: `SELECT count() AS n FROM system.tables WHERE database = ${sqlString(settings.database)} AND name = ${sqlString(r.name)}`,
        format: 'JSONEachRow',
      });
      if (Number((await exists.json<{ n: number }>())[0].n) === 0) {
        console.log(`${`${r.name}_current`.padEnd(20)} (not synced yet)`);
        continue;
      }
      const rs = await ch.query({
        query:
          `SELECT countIf(_is_deleted = 0) AS current, (SELECT count() FROM ${db}.${t}) AS stored, ` +
          `countIf(_is_deleted = 1) AS deleted, countIf(notEmpty(_shape_errors) AND _is_deleted = 0) AS shape, ` +
          `toString(max(_synced_at)) AS last_sync FROM ${db}.${t} FINAL`,
        format: 'JSONEachRow',
      });
      const [l] = await rs.json<Line>();
      console.log(
        `${`${r.name}_current`.padEnd(20)} ${String(l.current).padStart(8)} ${String(l.stored).padStart(8)} ${String(l.deleted).padStart(8)} ${String(l.shape).padStart(9)}  ${l.last_sync}`,
      );
    }
    const quarantined = await ch
      .query({
        query: `SELECT resource, count() AS n FROM ${db}.${ident(QUARANTINE_TABLE)} FINAL GROUP BY resource`,
        format: 'JSONEachRow',
      })
      .then((rs) => rs.json<{ resource: string; n: number }>())
      .catch(() => []); // no sync has created it yet
    for (const { resource, n } of quarantined)
      console.log(`quarantined ${resource}: ${n} records without a usable id`);
  } finally {
    await ch.close();
  }
}

main().catch((err: unknown) => {
  console.error(`report: ${(err as Error).message}`);
  process.exit(1);
});
