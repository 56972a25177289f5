// ClickHouse as production runs it: HTTPS with a private CA, a user with a password, and a cluster
// of two replicas on ZooKeeper, into which CLICKHOUSE_CLUSTER creates every table ON CLUSTER with a
// Replicated engine. A sync written through one replica must be read, whole, on the other.
import { strict as assert } from 'assert';
import type { SyncInput } from '../../domain/types';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { SettingsError } from '../../config/settings';
import { createSyncWorker } from '../../worker/create-worker';
import { CLUSTER_NAME, ClickHouseCluster, startClickHouseCluster, WRITER } from './clickhouse-cluster';
import { Harness, rows, startHarness } from './harness';
import { makeTestCertificates, TestCertificates } from './test-certificates';

const SIZE = { customers: 6, projects: 10, absencesPerYear: 3, entries: 120, users: 3, years: [2024, 2025] };

describe('ClickHouse over HTTPS with a password, on a replicated cluster', function () {
  this.timeout(240_000);
  let certs: TestCertificates;
  let cluster: ClickHouseCluster;
  let h: Harness;
  let replica2: ClickHouseClient;
  let production: Record<string, string>;

  before(async () => {
    certs = makeTestCertificates();
    cluster = await startClickHouseCluster(certs);
    production = {
      CLICKHOUSE_URL: cluster.replicas[0].httpsUrl,
      CLICKHOUSE_USER: WRITER.user,
      CLICKHOUSE_PASSWORD: WRITER.password,
      CLICKHOUSE_TLS_CA_CERT_PATH: certs.caCert,
      CLICKHOUSE_CLUSTER: CLUSTER_NAME,
    };
    h = await startHarness({ size: SIZE, settings: production, maxItemsPerPage: 50 });
    replica2 = createClient({
      url: cluster.replicas[1].httpUrl,
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
  });
  // A failure here has so far been a replica that went away: say what the servers logged.
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs());
  });
  after(async () => {
    await h?.close().catch(() => undefined);
    await replica2?.close();
    await cluster?.close();
    certs?.remove();
  });

  it('a sync through replica 1 creates replicated tables on both replicas and its rows reach replica 2', async () => {
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    const tables = await rows<{ name: string; engine: string }>(
      replica2,
      `SELECT name, engine FROM system.tables WHERE database = '${h.database}' ORDER BY name`,
    );
    const byName = new Map(tables.map((t) => [t.name, t.engine]));
    for (const t of [
      'entries',
      'projects',
      'customers',
      '_quarantine',
      '_sync_seen',
      '_sync_cursors',
      'sync_runs',
    ])
      assert.match(byName.get(t) ?? 'missing', /^Replicated(Replacing)?MergeTree$/, `${t} on replica 2`);
    assert.equal(byName.get('entries_current'), 'View', 'the view exists on replica 2 too');

    // Replication is asynchronous: wait until replica 2 holds what replica 1 has.
    const fingerprint = (ch: ClickHouseClient) =>
      rows<{ n: number; x: string }>(
        ch,
        `SELECT count() AS n, toString(groupBitXor(cityHash64(id, _hash))) AS x FROM ${h.database}.entries_current`,
      ).then((r) => r[0]);
    const want = await fingerprint(h.ch);
    assert.equal(want.n, h.dataset.entries.length);
    for (let i = 0; ; i++) {
      const got = await fingerprint(replica2);
      if (got.n === want.n && got.x === want.x) break;
      if (i > 100) assert.deepEqual(got, want, 'replica 2 never caught up');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('a second sync writes nothing new, and the run history is on both replicas', async () => {
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    const written = result.summary.resources.reduce((n, r) => n + r.rows, 0);
    assert.equal(written, 0);
    for (let i = 0; ; i++) {
      const [{ runs }] = await rows<{ runs: number }>(
        replica2,
        `SELECT uniqExact(run_id) AS runs FROM ${h.database}.sync_runs FINAL`,
      );
      if (runs === 2) break;
      if (i > 100) assert.equal(runs, 2);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('a table keyed otherwise is built anew on both replicas, and back again', async () => {
    const byName = (input: SyncInput) => {
      const teams = input.config.resources.find((r) => r.name === 'teams');
      assert.ok(teams);
      Object.assign(teams, { primary_key: ['name'], key_column: '_key' });
      teams.columns.name = { kind: 'string', nullable: false };
    };
    const sortingKey = async (ch: ClickHouseClient) =>
      (
        await rows<{ key: string }>(
          ch,
          `SELECT sorting_key AS key FROM system.tables WHERE database = '${h.database}' AND name = 'teams'`,
        )
      )[0]?.key;
    for (const [edit, key] of [
      [byName, '_key'],
      [undefined, 'id'],
    ] as const) {
      const result = await h.sync(['--resources', 'teams'], edit);
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.match(result.summary.resources[0].notes.join(), /table teams built anew/);
      assert.equal(await sortingKey(h.ch), key);
      for (let i = 0; ; i++) {
        const [{ n }] = await rows<{ n: number }>(
          replica2,
          `SELECT count() AS n FROM ${h.database}.teams_current`,
        );
        if ((await sortingKey(replica2)) === key && Number(n) === h.dataset.teams.length) break;
        if (i > 100) assert.fail(`replica 2: key ${await sortingKey(replica2)}, ${n} teams`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  it('a worker with a wrong password, or without the CA, refuses to start and names the setting', async () => {
    await assert.rejects(
      createSyncWorker({ ...h.vars, CLICKHOUSE_PASSWORD: 'not-the-password' }),
      (e: Error) =>
        e instanceof SettingsError &&
        /CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD: ClickHouse at 127\.0\.0\.1:\d+ refused user sync_writer/.test(
          e.message,
        ) &&
        !e.message.includes('not-the-password'),
    );
    const withoutCa = { ...h.vars };
    delete withoutCa.CLICKHOUSE_TLS_CA_CERT_PATH;
    await assert.rejects(
      createSyncWorker(withoutCa),
      (e: Error) =>
        e instanceof SettingsError && /CLICKHOUSE_TLS_CA_CERT_PATH: cannot verify/.test(e.message),
    );
  });
});
