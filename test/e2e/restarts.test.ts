// Restarts mid-run: ClickHouse, then the Temporal dev server (which keeps its state in
// --db-filename), each stopped and started again while a sync runs. Each time the run completes and
// the tables hold every record exactly once. The servers are the test's own, so restarting them
// disturbs no other test.
import { strict as assert } from 'assert';
import REQUIRED from '../../config/search-attributes.json';
import { Harness, rows, startHarness } from './harness';
import { RestartableService, startOwnClickHouse, startOwnTemporal } from './restartable-services';

const SIZE = {
  customers: 10,
  projects: 20,
  absencesPerYear: 3,
  entries: 1500,
  users: 4,
  years: [2024, 2025],
};

async function entriesExact(h: Harness): Promise<void> {
  const [e] = await rows<{ n: number; ids: number }>(
    h.ch,
    `SELECT count() AS n, uniqExact(id) AS ids FROM ${h.database}.entries FINAL WHERE _is_deleted = 0`,
  );
  assert.equal(e.n, h.dataset.entries.length);
  assert.equal(e.ids, h.dataset.entries.length);
  const [c] = await rows<{ n: number }>(h.ch, `SELECT count() AS n FROM ${h.database}.entries_current`);
  assert.equal(c.n, h.dataset.entries.length);
}

/** Waits until the API server has answered `n` entries requests. */
async function afterEntriesRequests(h: Harness, n: number): Promise<void> {
  while (h.api.requestLog.filter((r) => r.path === '/v2/entries').length < n) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('restarts mid-run', function () {
  this.timeout(240_000);

  describe('ClickHouse', () => {
    let clickhouse: RestartableService;
    let h: Harness;
    before(async () => {
      clickhouse = await startOwnClickHouse();
      h = await startHarness({
        size: SIZE,
        maxItemsPerPage: 50,
        latencyMs: 200,
        settings: { CLICKHOUSE_URL: clickhouse.address, SYNC_SECOND_CHANCE_SECONDS: '5' },
      });
    });
    after(async () => {
      await h?.close().catch(() => undefined);
      await clickhouse?.close();
    });

    it('stopped for 3 s and started again during a sync: the run completes exact', async () => {
      const run = h.sync();
      await afterEntriesRequests(h, 10);
      await clickhouse.stop();
      await new Promise((r) => setTimeout(r, 3000));
      await clickhouse.start();
      const result = await run;
      assert.ok(result.ok, result.ok ? '' : result.message);
      await entriesExact(h);
    });
  });

  describe('the Temporal dev server', () => {
    let temporal: RestartableService;
    let h: Harness;
    before(async () => {
      temporal = await startOwnTemporal(REQUIRED);
      h = await startHarness({
        size: SIZE,
        maxItemsPerPage: 50,
        latencyMs: 200,
        settings: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'default' },
      });
    });
    after(async () => {
      await h?.close().catch(() => undefined);
      await temporal?.close();
    });

    it('stopped and started again during a sync: the run completes exact', async () => {
      const run = h.sync();
      await afterEntriesRequests(h, 10);
      await temporal.stop();
      await new Promise((r) => setTimeout(r, 2000));
      await temporal.start();
      const result = await run;
      assert.ok(result.ok, result.ok ? '' : result.message);
      await entriesExact(h);
    });
  });
});
