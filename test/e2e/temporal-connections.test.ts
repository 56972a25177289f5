// Production Temporal connections: a sync through an endpoint that takes only TLS with a client
// certificate of its authority and an API key, as Temporal Cloud does (a TLS proxy in front of the
// dev server); refusals that say where and how the tools tried to connect, without the key; and the
// search attributes a fresh namespace lacks, named by the worker and start-sync and registered by
// `npm run temporal:setup`.
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import Long from 'long';
import { Connection } from '@temporalio/client';
import { readEnv, resolveVariables } from '../../config/settings';
import { REQUIRED_SEARCH_ATTRIBUTES, searchAttributeProblems } from '../../config/temporal-search-attributes';
import { temporalSettings } from '../../config/temporal-settings';
import { createSyncWorker } from '../../worker/create-worker';
import { startTlsProxy, TlsProxy } from './grpc-tls-proxy';
import { Harness, rows, startHarness } from './harness';
import { makeTestCertificates, TestCertificates } from './test-certificates';

const ROOT = path.resolve(__dirname, '../..');
const API_KEY = `test-temporal-key-${randomBytes(6).toString('hex')}`;
const SIZE = { customers: 5, projects: 8, absencesPerYear: 2, entries: 40, users: 2, years: [2024, 2025] };

/**
 * Runs one of the command-line tools as a user would, with these settings as its environment.
 * Asynchronously: the TLS endpoint it talks to runs in this process.
 */
function tool(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, out, err) =>
        resolve({ code: error ? ((error.code as number | undefined) ?? null) : 0, out, err }),
    );
  });
}

describe('Temporal over TLS with a client certificate and an API key', function () {
  this.timeout(120_000);
  let certs: TestCertificates;
  let proxy: TlsProxy;
  let h: Harness;
  let tls: Record<string, string>;

  before(async () => {
    certs = makeTestCertificates();
    const local = temporalSettings(resolveVariables(readEnv()));
    proxy = await startTlsProxy({
      upstream: local.address,
      cert: certs.read(certs.serverCert),
      key: certs.read(certs.serverKey),
      clientCa: certs.read(certs.caCert),
      apiKey: API_KEY,
    });
    tls = {
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
      TEMPORAL_API_KEY: API_KEY,
    };
    h = await startHarness({ size: SIZE, settings: tls });
  });
  after(async () => {
    await h?.close();
    await proxy?.close();
    certs?.remove();
  });

  it('a worker and start-sync connect through it, and the sync lands its rows', async () => {
    const before = proxy.counts.passed;
    const r = await tool('client/start-sync.ts', ['--resources', 'customers,projects'], h.vars);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /started incremental sync of projects, customers into http:\/\/127\.0\.0\.1:\d+ database clockodo_e2e_/,
    );
    const [{ n }] = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${h.database}.customers_current`,
    );
    assert.equal(n, h.dataset.customers.length);
    assert.ok(proxy.counts.passed > before, 'the calls went through the TLS endpoint');
    assert.equal(proxy.counts.refusedKey, 0);
  });

  it('a wrong API key is refused, and the message names the endpoint but not the key', async () => {
    const wrongKey = `wrong-${API_KEY}`;
    const r = await tool('client/start-sync.ts', ['--resources', 'customers'], {
      ...h.vars,
      TEMPORAL_API_KEY: wrongKey,
    });
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(
      r.err,
      new RegExp(
        `cannot reach Temporal at ${proxy.address} \\(TLS with a client certificate, API key\\): .*invalid API key`,
      ),
    );
    assert.ok(!(r.out + r.err).includes(wrongKey), 'the key is never printed');
    assert.ok(proxy.counts.refusedKey > 0);
  });

  it('no client certificate, or one of another authority, cannot connect', async () => {
    const clients: Record<string, string>[] = [
      {},
      { TEMPORAL_TLS_CLIENT_CERT_PATH: certs.strangerCert, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.strangerKey },
    ];
    for (const client of clients) {
      const vars: Record<string, string> = { ...h.vars, ...client };
      if (!('TEMPORAL_TLS_CLIENT_CERT_PATH' in client)) {
        delete vars.TEMPORAL_TLS_CLIENT_CERT_PATH;
        delete vars.TEMPORAL_TLS_CLIENT_KEY_PATH;
      }
      await assert.rejects(
        Connection.connect({ ...temporalSettings(vars).connection, connectTimeout: '3 seconds' }),
        (e: Error) => !e.message.includes(API_KEY),
      );
    }
  });

  it('a client certificate without its key is a settings error that names the variable', async () => {
    const vars = { ...h.vars };
    delete vars.TEMPORAL_TLS_CLIENT_KEY_PATH;
    const r = await tool('client/start-sync.ts', ['--resources', 'customers'], {
      ...vars,
      TEMPORAL_TLS_CLIENT_KEY_PATH: '',
    });
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /TEMPORAL_TLS_CLIENT_KEY_PATH: a client certificate is set/);
  });
});

describe('search attributes on a namespace of a real cluster', function () {
  this.timeout(120_000);
  const namespace = `clockodo-sa-${randomBytes(4).toString('hex')}`;
  let connection: Connection;
  let vars: Record<string, string>;

  before(async () => {
    vars = { ...resolveVariables(readEnv()), TEMPORAL_NAMESPACE: namespace };
    connection = await Connection.connect(temporalSettings(vars).connection);
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    // A new namespace reaches the server's namespace cache within a few seconds.
    for (let i = 0; ; i++) {
      try {
        await connection.operatorService.listSearchAttributes({ namespace });
        break;
      } catch (e) {
        if (i > 40) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
  after(async () => {
    await connection?.operatorService.deleteNamespace({ namespace }).catch(() => undefined);
    await connection?.close();
  });

  it('a worker refuses to start, naming what is missing and the command that adds it', async () => {
    await assert.rejects(createSyncWorker(vars), (e: Error) => {
      assert.match(e.message, new RegExp(`Temporal namespace ${namespace} lacks the search attributes`));
      for (const name of Object.keys(REQUIRED_SEARCH_ATTRIBUTES)) assert.match(e.message, new RegExp(name));
      assert.match(e.message, /npm run temporal:setup/);
      return true;
    });
  });

  it('start-sync says the same and starts nothing (exit 2)', async () => {
    const r = await tool('client/start-sync.ts', ['--resources', 'customers'], {
      TEMPORAL_NAMESPACE: namespace,
    });
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /lacks the search attributes this sync sets: ClockodoResources \(KeywordList\)/);
  });

  it('temporal:setup registers them, and run again finds them present', async () => {
    const first = await tool('client/temporal-setup.ts', [], { TEMPORAL_NAMESPACE: namespace });
    assert.equal(first.code, 0, first.err);
    for (const name of Object.keys(REQUIRED_SEARCH_ATTRIBUTES))
      assert.match(first.out, new RegExp(`added search attribute ${name} to namespace ${namespace}`));
    // Registration reaches the namespace's cached view within moments.
    for (let i = 0; (await searchAttributeProblems(connection.operatorService, namespace)).length > 0; i++) {
      if (i > 40) assert.fail('the search attributes never appeared');
      await new Promise((r) => setTimeout(r, 250));
    }
    const again = await tool('client/temporal-setup.ts', [], { TEMPORAL_NAMESPACE: namespace });
    assert.equal(again.code, 0, again.err);
    assert.match(
      again.out,
      new RegExp(`search attribute ClockodoSyncMode already in namespace ${namespace}`),
    );
    assert.doesNotMatch(again.out, /added/);
  });

  it('temporal:setup on a namespace that does not exist says how to create it', async () => {
    const r = await tool('client/temporal-setup.ts', [], { TEMPORAL_NAMESPACE: `${namespace}-missing` });
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /has no namespace clockodo-sa-\w+-missing: create it first/);
  });
});
