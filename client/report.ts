// `npm run report`: what is in ClickHouse now, per resource (current records, stored versions,
// deletions, rows with shape warnings), the cursors, and what sits in quarantine.
// Exit codes (client/exit-codes.ts): 0 done, 1 failed, 2 bad configuration or setting, 3 ClickHouse unreachable.
import { connectClickHouse } from '../clickhouse/connection';
import { cursorReport, quarantineReport, tableReport } from '../clickhouse/report-queries';
import { loadSourceConfig } from '../config/load-source-config';
import { clickHouseSettings, readEnv, resolveVariables } from '../config/settings';
import { shownUrl } from '../config/shown-url';
import { reachClickHouse } from './clickhouse-reach';
import { EXIT, runCommand } from './exit-codes';

async function main(): Promise<number> {
  const vars = resolveVariables(readEnv());
  const config = loadSourceConfig(vars);
  const settings = clickHouseSettings(vars);
  const ch = connectClickHouse(settings);
  const db = settings.database;
  try {
    await reachClickHouse(ch, vars);
    console.log(`ClickHouse ${shownUrl(vars.CLICKHOUSE_URL)}, database ${db}`);
    // As wide as the longest view name, so the columns line up.
    const width = Math.max(20, ...config.resources.map((r) => `${r.name}_current`.length));
    console.log(
      `${'table'.padEnd(width)} ${'current'.padStart(8)} ${'stored'.padStart(8)} ${'deleted'.padStart(8)} ${'odd shape'.padStart(9)}  last change written (UTC)`,
    );
    for (const r of config.resources) {
      const l = await tableReport(ch, db, r.name);
      const name = `${r.name}_current`.padEnd(width);
      if (!l) {
        console.log(`${name} (not synced yet)`);
        continue;
      }
      console.log(
        `${name} ${String(l.current).padStart(8)} ${String(l.stored).padStart(8)} ${String(l.deleted).padStart(8)} ${String(l.shape).padStart(9)}  ${l.lastWritten}`,
      );
    }
    for (const r of config.resources.filter((x) => x.endpoint.incremental_sync)) {
      const c = await cursorReport(ch, db, r.name);
      console.log(
        c
          ? `${r.name} cursor: ${c.cursor} (last complete read: ${c.mode} ${c.syncId}, window ${c.window.since}..${c.window.until})`
          : `${r.name} cursor: none yet (the next incremental run reads the whole history)`,
      );
    }
    for (const { resource, n } of await quarantineReport(ch, db))
      console.log(`quarantined ${resource}: ${n} records without a usable key`);
    return EXIT.OK;
  } finally {
    await ch.close();
  }
}

runCommand('report', main);
