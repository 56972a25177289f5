// The API behind HTTPS with a certificate of a private CA: a worker given the CA
// (CLOCKODO_TLS_CA_CERT_PATH) syncs everything over TLS; a worker without it refuses at once, naming
// the setting, and its credentials never reach the server (the handshake fails before any request).
import { strict as assert } from 'assert';
import { NativeConnection } from '@temporalio/worker';
import { runSync } from '../../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { temporalSettings } from '../../config/temporal-settings';
import { createSyncWorker } from '../../worker/create-worker';
import { Harness, rows, startHarness } from './harness';
import { makeTestCertificates, TestCertificates } from './test-certificates';

const SIZE = { customers: 5, projects: 8, absencesPerYear: 3, entries: 90, users: 3, years: [2024, 2025] };

describe('the API over HTTPS with a private CA', function () {
  this.timeout(120_000);
  let certs: TestCertificates;
  let h: Harness;

  before(async () => {
    certs = makeTestCertificates();
    h = await startHarness({
      size: SIZE,
      maxItemsPerPage: 40,
      apiTls: { cert: certs.read(certs.serverCert), key: certs.read(certs.serverKey) },
      settings: { CLOCKODO_TLS_CA_CERT_PATH: certs.caCert },
    });
  });
  after(async () => {
    await h?.close();
    certs?.remove();
  });

  it('syncs every resource over https when the worker trusts the CA', async () => {
    assert.match(h.api.url, /^https:\/\/127\.0\.0\.1:\d+\/api$/);
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    const [{ n }] = await rows<{ n: number }>(h.ch, `SELECT count() AS n FROM ${h.database}.entries_current`);
    assert.equal(n, h.dataset.entries.length);
    assert.ok(h.api.requestLog.length >= 4 && h.api.requestLog.every((r) => r.status === 200));
  });

  it('a worker without the CA refuses at once, naming CLOCKODO_TLS_CA_CERT_PATH, and sends nothing', async () => {
    const queue = `${h.taskQueue}-no-ca`;
    const vars: Record<string, string> = { ...h.vars, TEMPORAL_TASK_QUEUE: queue };
    delete vars.CLOCKODO_TLS_CA_CERT_PATH;
    const connection = await NativeConnection.connect(temporalSettings(vars).connection);
    const other = await createSyncWorker(vars, { connection });
    const running = other.run();
    const requestsBefore = h.api.requestLog.length;
    const started = Date.now();
    try {
      const input = syncInputFromSettings(vars, parseSyncArgs(['--resources', 'projects']));
      const result = await runSync(h.client, input, { taskQueue: queue, pollMs: 200 });
      assert.equal(result.ok, false);
      const message = result.ok ? '' : result.message;
      assert.match(
        message,
        /cannot verify the API's TLS certificate \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
      );
      assert.match(message, /set CLOCKODO_TLS_CA_CERT_PATH on the worker/);
      // Non-retryable: no backoff of 1 + 2 + 4 s and no second chance after SYNC_SECOND_CHANCE_SECONDS.
      assert.ok(Date.now() - started < 6_000, `took ${Date.now() - started} ms`);
      assert.equal(h.api.requestLog.length, requestsBefore, 'the server saw no request');
    } finally {
      other.worker.shutdown();
      await running;
      await other.close();
      await connection.close();
    }
  });
});
