// A page whose retries ran out gets a second chance later in the same run: one unlucky page does not
// fail a long run. A page that fails its second chance too fails the run, named with its last error,
// marks nothing deleted, and leaves the next run to complete normally.
import { strict as assert } from 'assert';
import type { SyncInput } from '../../domain/types';
import { Harness, rows, startHarness } from './harness';

const SIZE = { customers: 12, projects: 6, absencesPerYear: 2, entries: 30, users: 2, years: [2024, 2025] };
/** The seed's policy: 3 retries (4 attempts). */
const ATTEMPTS_PER_SERIES = 4;

/**
 * The seed's retries, without its backoff (1 + 2 + 4 s a series): the test is about the series and
 * the second chance after them, not about the waits between attempts.
 */
const quickRetries = (input: SyncInput) => {
  input.config.retry = { ...input.config.retry, initial_interval_seconds: 0.1, max_interval_seconds: 0.1 };
};

describe('second chance for a page whose retries ran out', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    // Five customers per page: page 1 is fetched alone first, so the faults below all hit it.
    h = await startHarness({ size: SIZE, maxItemsPerPage: 5, settings: { SYNC_SECOND_CHANCE_SECONDS: '2' } });
  });
  after(async () => h?.close());

  const customers = async () =>
    (await rows<{ n: number }>(h.ch, `SELECT count() AS n FROM ${h.database}.customers_current`))[0].n;

  it('a page that fails every attempt of its series succeeds on its second chance: the run is ok', async () => {
    h.api.injectFault({ status: 503, times: ATTEMPTS_PER_SERIES, pathPrefix: '/v2/customers' });
    const started = Date.now();
    const result = await h.sync(['--resources', 'customers'], quickRetries);
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(await customers(), h.dataset.customers.length);
    const page1 = h.api.requestLog.filter((r) => r.path === '/v2/customers' && r.query.page === '1');
    assert.deepEqual(
      page1.map((r) => r.status),
      [503, 503, 503, 503, 200],
      'four attempts, then the second chance',
    );
    const pause = page1[4].at - page1[3].at;
    assert.ok(pause >= 2000, `the second chance waited the pause (${pause} ms)`);
    assert.ok(Date.now() - started < 60_000);
  });

  it('a page that fails its second chance too fails the run, named with its last error; nothing is marked deleted; the next run completes', async () => {
    h.api.requestLog.length = 0;
    h.api.injectFault({ status: 502, times: 2 * ATTEMPTS_PER_SERIES, pathPrefix: '/v2/customers' });
    const before = await customers();
    const failed = await h.sync(['--resources', 'customers'], quickRetries);
    assert.ok(!failed.ok);
    assert.match(
      failed.message,
      /customers: 1 page failed after their retries and a second chance: page 1: GET \/v2\/customers\?page=1&items_per_page=\d+: answered 502/,
    );
    assert.equal(await customers(), before, 'nothing marked deleted');
    const runs = await rows<{ outcome: string; error: string }>(
      h.ch,
      `SELECT outcome, error FROM ${h.database}.sync_runs FINAL WHERE resource = 'customers' ORDER BY started DESC LIMIT 1`,
    );
    assert.equal(runs[0].outcome, 'failed');
    assert.match(runs[0].error, /page 1: .*answered 502/);

    const next = await h.sync(['--resources', 'customers'], quickRetries);
    assert.ok(next.ok, next.ok ? '' : next.message);
    assert.equal(await customers(), h.dataset.customers.length);
  });

  it('a fail-fast status gets no second chance', async () => {
    h.api.requestLog.length = 0;
    h.api.injectFault({ status: 403, times: 1, pathPrefix: '/v2/customers' });
    const failed = await h.sync(['--resources', 'customers'], quickRetries);
    assert.ok(!failed.ok);
    assert.match(failed.message, /answered 403/);
    assert.equal(h.api.requestLog.filter((r) => r.path === '/v2/customers').length, 1);
  });
});
