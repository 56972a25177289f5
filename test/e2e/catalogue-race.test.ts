// On 18.16 a read of system.tables fails with UNKNOWN_TABLE when another table of the database is
// renamed or dropped while it is listed, as a concurrent resource's view swap does. CI saw one sync
// fail that way; readCatalogue reads again, so the catalogue reads of schema changes never do.
import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { readCatalogue } from '../../clickhouse/catalog-read';
import { connectClickHouse } from '../../clickhouse/connection';
import { clickHouseSettings, readEnv, resolveVariables } from '../../config/settings';

describe('catalogue reads beside view swaps of other resources', function () {
  this.timeout(120_000);
  const db = `clockodo_catalogue_${randomBytes(4).toString('hex')}`;
  let ch: ClickHouseClient;

  before(async () => {
    ch = connectClickHouse(clickHouseSettings(resolveVariables(readEnv())));
    await ch.command({ query: `CREATE DATABASE ${db}` });
    await ch.command({ query: `CREATE TABLE ${db}.base (a UInt8) ENGINE = MergeTree ORDER BY a` });
    await ch.command({ query: `CREATE VIEW ${db}.base_current AS SELECT a FROM ${db}.base` });
  });
  after(async () => {
    await ch?.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    await ch?.close();
  });

  it('list every table, however often a view is swapped and dropped meanwhile', async () => {
    let reads = 0;
    let swaps = 0;
    const failures: string[] = [];
    for (let round = 0; round < 80; round++) {
      // The swap schema.ts does: a new view beside the old, one RENAME of both, the old one dropped.
      const swapping = (async () => {
        for (let i = 0; i < 5; i++, swaps++) {
          const fresh = `${db}.base_current__rebuild_${swaps}`;
          const old = `${db}.base_current__replaced_${swaps}`;
          await ch.command({ query: `CREATE VIEW ${fresh} AS SELECT a FROM ${db}.base` });
          await ch.command({
            query: `RENAME TABLE ${db}.base_current TO ${old}, ${fresh} TO ${db}.base_current`,
          });
          await ch.command({ query: `DROP TABLE ${old}` });
        }
      })();
      const listing = Array.from({ length: 8 }, async () => {
        for (let k = 0; k < 3; k++, reads++) {
          try {
            const names = await readCatalogue<{ name: string }>(
              ch,
              `SELECT name FROM system.tables WHERE database = '${db}'`,
            );
            assert.ok(names.some((t) => t.name === 'base'));
          } catch (e) {
            failures.push(String(e));
          }
        }
      });
      await Promise.all([swapping, ...listing]);
    }
    console.log(`      ${reads} catalogue reads beside ${swaps} view swaps`);
    assert.deepEqual(failures, []);
  });
});
