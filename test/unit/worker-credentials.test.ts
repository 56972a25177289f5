// What a worker lets its API credentials be used for: the allow-list of variables it resolves, the
// base URLs it sends them to, the demo account only for the local API server, and a missing key
// named when the worker starts. Also what keeps the key from travelling further: redirects and
// certificates it cannot verify, and its Base64 forms in the log.
import { strict as assert } from 'assert';
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { checkCredentialUse, CredentialPolicy, untrustedAnswer } from '../../activities/credential-guard';
import { getJson, resolveSecret } from '../../activities/http-client';
import { PROJECT_ROOT, resolveVariables, SettingsError } from '../../config/settings';
import type { ClientConfig, RetryConfig } from '../../domain/source-config';
import { ConfigError, validateSourceConfig } from '../../config/validate-source-config';
import { apiAgent, normalizeBaseUrl, secretNames, workerCredentials } from '../../config/worker-credentials';
import { base64Forms, formatLogLine, secretValues } from '../../worker/json-logger';

const NOW = new Date('2025-06-15T10:30:00Z');
const LOCAL = 'http://127.0.0.1:8787/api';
const REMOTE = 'https://my.clockodo.com/api';

/** Settings as a worker resolves them from this environment (no .env file). */
const settings = (env: Record<string, string>) => resolveVariables(env, NOW);

const client = (over: Partial<ClientConfig> = {}): ClientConfig => ({
  base_url: LOCAL,
  auth: { type: 'basic', username: '${CLOCKODO_EMAIL}', password: '${CLOCKODO_API_KEY}' },
  headers: {},
  request_timeout_seconds: 5,
  ...over,
});

function failureOf(fn: () => unknown): ApplicationFailure {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(e)}`);
    return e;
  }
  assert.fail('nothing was thrown');
}

function settingsErrorOf(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SettingsError, `expected a SettingsError, got ${String(e)}`);
    return e;
  }
  assert.fail('nothing was thrown');
}

describe('the secret allow-list', () => {
  it('is CLOCKODO_EMAIL and CLOCKODO_API_KEY, extended by WORKER_SECRET_NAMES', () => {
    assert.deepEqual(secretNames(settings({})), ['CLOCKODO_EMAIL', 'CLOCKODO_API_KEY']);
    assert.deepEqual(secretNames(settings({ WORKER_SECRET_NAMES: ' ACME_USER, ACME_KEY ,CLOCKODO_EMAIL' })), [
      'CLOCKODO_EMAIL',
      'CLOCKODO_API_KEY',
      'ACME_USER',
      'ACME_KEY',
    ]);
  });

  it('refuses a name that is no variable name, and the worker’s own ClickHouse and Temporal settings', () => {
    assert.match(
      settingsErrorOf(() => secretNames(settings({ WORKER_SECRET_NAMES: 'A-B' }))).message,
      /^WORKER_SECRET_NAMES: "A-B" is not a variable name/,
    );
    for (const name of ['CLICKHOUSE_PASSWORD', 'TEMPORAL_API_KEY'])
      assert.match(
        settingsErrorOf(() => secretNames(settings({ WORKER_SECRET_NAMES: `ACME_KEY,${name}` }))).message,
        new RegExp(`^WORKER_SECRET_NAMES: ${name} is one of the worker's own`),
      );
  });

  it('hands the activities only allow-listed values, nothing else of the environment', () => {
    const vars = settings({
      CLOCKODO_EMAIL: 'me@example.com',
      CLOCKODO_API_KEY: 'the-api-key',
      CLICKHOUSE_PASSWORD: 'ch-password',
      TEMPORAL_API_KEY: 'temporal-key',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      ACME_KEY: 'acme-key',
      WORKER_SECRET_NAMES: 'ACME_KEY,UNSET_ONE',
    });
    const { secrets, policy } = workerCredentials(vars);
    assert.deepEqual(secrets, {
      CLOCKODO_EMAIL: 'me@example.com',
      CLOCKODO_API_KEY: 'the-api-key',
      ACME_KEY: 'acme-key',
    });
    assert.deepEqual(policy.secretNames, ['CLOCKODO_EMAIL', 'CLOCKODO_API_KEY', 'ACME_KEY', 'UNSET_ONE']);
  });

  it('refuses, non-retryably, a reference outside it, naming the reference and the setting', () => {
    const policy: CredentialPolicy = workerCredentials(settings({})).policy;
    checkCredentialUse(client(), policy);
    const f = failureOf(() =>
      checkCredentialUse(
        client({
          auth: { type: 'basic', username: '${CLOCKODO_EMAIL}', password: '${CLICKHOUSE_PASSWORD}' },
        }),
        policy,
      ),
    );
    assert.equal(f.nonRetryable, true);
    assert.equal(f.type, 'SecretNotAllowed');
    assert.match(
      f.message,
      /^client\.auth\.password: \$\{CLICKHOUSE_PASSWORD\} is not on this worker's list/,
    );
    assert.match(f.message, /add CLICKHOUSE_PASSWORD to WORKER_SECRET_NAMES/);
    // The same reference passes once the worker lists it.
    const listed = workerCredentials(settings({ WORKER_SECRET_NAMES: 'ACME_KEY', ACME_KEY: 'x' })).policy;
    const acme = client({
      auth: { type: 'clockodo_headers', user: '${CLOCKODO_EMAIL}', api_key: '${ACME_KEY}' },
    });
    checkCredentialUse(acme, listed);
    assert.equal(failureOf(() => checkCredentialUse(acme, policy)).type, 'SecretNotAllowed');
  });

  it('refuses a literal without repeating it', () => {
    const f = failureOf(() =>
      checkCredentialUse(
        client({ auth: { type: 'basic', username: '${CLOCKODO_EMAIL}', password: 'literal-key-123' } }),
        workerCredentials(settings({})).policy,
      ),
    );
    assert.equal(f.nonRetryable, true);
    assert.ok(!f.message.includes('literal-key-123'), f.message);
  });

  it('is checked by start-sync too, naming the field', () => {
    const raw = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
    ) as { client: { auth: Record<string, string> } };
    raw.client.auth.password = '${CLICKHOUSE_PASSWORD}';
    try {
      validateSourceConfig(raw, settings({}));
      assert.fail('validated');
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      const issue = e.issues.find((i) => i.field === 'client.auth.password');
      assert.ok(issue, e.message);
      assert.match(issue.problem, /\$\{CLICKHOUSE_PASSWORD\}, which workers do not send/);
      assert.match(issue.problem, /WORKER_SECRET_NAMES/);
    }
    // A name the workers list passes (the client reads the same settings as the workers).
    raw.client.auth.password = '${ACME_KEY}';
    assert.equal(
      validateSourceConfig(raw, settings({ WORKER_SECRET_NAMES: 'ACME_KEY' })).client.base_url,
      LOCAL,
    );
  });
});

describe('the base URLs a worker sends credentials to', () => {
  const local = workerCredentials(settings({})).policy;

  it('are CLOCKODO_BASE_URL, compared without trailing slashes and host case', () => {
    assert.deepEqual(local.apiBaseUrls, [LOCAL]);
    checkCredentialUse(client({ base_url: 'http://127.0.0.1:8787/api/' }), local);
    checkCredentialUse(client({ base_url: 'HTTP://127.0.0.1:8787/api' }), local);
  });

  it('refuse any other, non-retryably, naming the settings that would allow it', () => {
    for (const other of [
      'https://evil.example.com/api',
      'http://127.0.0.1:8788/api',
      'http://127.0.0.1:8787/other',
      'https://127.0.0.1:8787/api',
      'http://127.0.0.1:8787/api?x=1',
      'http://user:pw@127.0.0.1:8787/api',
      'not a url',
    ]) {
      const f = failureOf(() => checkCredentialUse(client({ base_url: other }), local));
      assert.equal(f.nonRetryable, true, other);
      assert.equal(f.type, 'ApiBaseUrlNotAllowed', other);
      assert.match(
        f.message,
        /^client\.base_url: this worker sends its API credentials only to http:\/\/127\.0\.0\.1:8787\/api, not to /,
      );
      assert.match(f.message, /CLOCKODO_BASE_URL \(or add it to WORKER_API_BASE_URLS\)/);
      assert.ok(!f.message.includes('pw@'), f.message);
    }
  });

  it('are WORKER_API_BASE_URLS when set', () => {
    const vars = settings({
      CLOCKODO_API_KEY: 'k',
      CLOCKODO_EMAIL: 'e@x',
      WORKER_API_BASE_URLS: `${REMOTE}, https://eu.clockodo.example/api/`,
    });
    const { policy } = workerCredentials(vars);
    assert.deepEqual(policy.apiBaseUrls, [REMOTE, 'https://eu.clockodo.example/api']);
    checkCredentialUse(client({ base_url: 'https://eu.clockodo.example/api' }), policy);
    assert.equal(failureOf(() => checkCredentialUse(client(), policy)).type, 'ApiBaseUrlNotAllowed');
  });

  it('must be readable http(s) base URLs, and one with a password in it is not repeated', () => {
    assert.equal(normalizeBaseUrl('ftp://x/api'), undefined);
    const e = settingsErrorOf(() =>
      workerCredentials(settings({ WORKER_API_BASE_URLS: 'http://u:hunter22@127.0.0.1:8787/api' })),
    );
    assert.match(e.message, /^WORKER_API_BASE_URLS: must be http\(s\) base URLs/);
    assert.ok(!e.message.includes('hunter22'), e.message);
  });
});

describe('the demo account', () => {
  it('is the default for the local API server, on any loopback address and port', () => {
    for (const url of [
      LOCAL,
      'http://localhost:9000/api',
      'http://[::1]:8787/api',
      'http://127.0.0.2:1/api',
    ]) {
      const vars = settings({ CLOCKODO_BASE_URL: url });
      assert.equal(vars.CLOCKODO_EMAIL, 'demo@example.com', url);
      assert.equal(vars.CLOCKODO_API_KEY, 'local-demo-key', url);
      workerCredentials(vars);
    }
  });

  it('is no default anywhere else, and a demo value given for a real API counts as unset', () => {
    const envs: Record<string, string>[] = [
      { CLOCKODO_BASE_URL: REMOTE },
      { CLOCKODO_BASE_URL: REMOTE, CLOCKODO_EMAIL: 'demo@example.com', CLOCKODO_API_KEY: 'local-demo-key' },
      // Credentials that may go to a real API too.
      { WORKER_API_BASE_URLS: `${LOCAL},${REMOTE}` },
    ];
    for (const env of envs) {
      const vars = settings(env);
      assert.equal(vars.CLOCKODO_EMAIL, undefined, JSON.stringify(env));
      assert.equal(vars.CLOCKODO_API_KEY, undefined, JSON.stringify(env));
    }
    const mine = settings({
      CLOCKODO_BASE_URL: REMOTE,
      CLOCKODO_EMAIL: 'me@x.org',
      CLOCKODO_API_KEY: 'real-key',
    });
    assert.equal(mine.CLOCKODO_API_KEY, 'real-key');
    assert.deepEqual(workerCredentials(mine).secrets, {
      CLOCKODO_EMAIL: 'me@x.org',
      CLOCKODO_API_KEY: 'real-key',
    });
  });

  it('missing for a real API stops the worker, naming the variable', () => {
    const e = settingsErrorOf(() =>
      workerCredentials(settings({ CLOCKODO_BASE_URL: REMOTE, CLOCKODO_EMAIL: 'me@x.org' })),
    );
    assert.match(
      e.message,
      /^no API key configured: set CLOCKODO_API_KEY \(the demo account is only for the local API server; this worker sends to https:\/\/my\.clockodo\.com\/api\)$/,
    );
    const both = settingsErrorOf(() => workerCredentials(settings({ CLOCKODO_BASE_URL: REMOTE })));
    assert.match(
      both.message,
      /no API user configured: set CLOCKODO_EMAIL; no API key configured: set CLOCKODO_API_KEY/,
    );
  });

  it('an activity on a worker without the value says the same, naming the variable', () => {
    const f = failureOf(() =>
      resolveSecret('${CLOCKODO_API_KEY}', { CLOCKODO_EMAIL: 'me@x.org' }, 'password'),
    );
    assert.equal(f.nonRetryable, true);
    assert.match(
      f.message,
      /^client\.auth\.password: no API key configured: set CLOCKODO_API_KEY in the worker's environment/,
    );
  });
});

describe("the worker's own source configuration", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'worker-credentials-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const withAuth = (auth: Record<string, string>) => {
    const raw = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
    ) as { client: { auth: unknown } };
    raw.client.auth = auth;
    const file = path.join(dir, `${Object.values(auth).join('-').replace(/\W/g, '')}.json`);
    writeFileSync(file, JSON.stringify(raw));
    return file;
  };

  it('names the variables it checks at start: their own names, allow-listed and set', () => {
    const file = withAuth({ type: 'clockodo_headers', user: '${ACME_USER}', api_key: '${ACME_KEY}' });
    const notListed = settingsErrorOf(() => workerCredentials(settings({ SOURCE_CONFIG: file })));
    assert.match(
      notListed.message,
      /^WORKER_SECRET_NAMES: .* sends \$\{ACME_USER\} as client\.auth\.user, which is not on this worker's allow-list/,
    );
    const unset = settingsErrorOf(() =>
      workerCredentials(
        settings({ SOURCE_CONFIG: file, WORKER_SECRET_NAMES: 'ACME_USER,ACME_KEY', ACME_USER: 'u' }),
      ),
    );
    assert.equal(unset.message, 'no API key configured: set ACME_KEY');
    // The demo defaults are not needed when the configuration names other variables.
    const ok = workerCredentials(
      settings({
        SOURCE_CONFIG: file,
        CLOCKODO_BASE_URL: REMOTE,
        WORKER_SECRET_NAMES: 'ACME_USER,ACME_KEY',
        ACME_USER: 'u',
        ACME_KEY: 'k',
      }),
    );
    assert.deepEqual(ok.secrets, { ACME_USER: 'u', ACME_KEY: 'k' });
  });
});

describe('what keeps the key from travelling further', () => {
  it('a certificate the worker cannot verify, or a redirect, is no retryable network error', () => {
    assert.match(
      untrustedAnswer({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }) ?? '',
      /CLOCKODO_TLS_CA_CERT_PATH/,
    );
    assert.match(untrustedAnswer({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) ?? '', /TLS certificate/);
    assert.match(untrustedAnswer({ type: 'no-redirect' }) ?? '', /redirect/);
    assert.equal(untrustedAnswer({ code: 'ECONNRESET' }), undefined);
    assert.match(
      settingsErrorOf(() => apiAgent({ CLOCKODO_TLS_CA_CERT_PATH: '/nonexistent/ca.pem' })).message,
      /^CLOCKODO_TLS_CA_CERT_PATH: no file/,
    );
  });

  it('a redirect is not followed: the place it points to never sees the credentials', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const listen = (server: Server) =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      );
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    const elsewherePort = await listen(elsewhere);
    const api = createServer((req, res) => {
      res.writeHead(302, { Location: `http://127.0.0.1:${elsewherePort}/api/v2/projects` });
      res.end();
    });
    const apiPort = await listen(api);
    const retry: RetryConfig = {
      retry_on_status: [500],
      fail_fast_on_status: [401],
      max_retries: 3,
      backoff_factor: 2,
      initial_interval_seconds: 1,
      max_interval_seconds: 60,
      respect_retry_after: true,
    };
    try {
      for (const auth of [
        client().auth,
        { type: 'clockodo_headers' as const, user: '${CLOCKODO_EMAIL}', api_key: '${CLOCKODO_API_KEY}' },
      ]) {
        const error = await getJson(`http://127.0.0.1:${apiPort}/api/v2/projects`, 'GET /v2/projects', {
          client: client({ base_url: `http://127.0.0.1:${apiPort}/api`, auth }),
          retry,
          secrets: { CLOCKODO_EMAIL: 'me@x.org', CLOCKODO_API_KEY: 'redirected-key' },
          policy: {
            secretNames: ['CLOCKODO_EMAIL', 'CLOCKODO_API_KEY'],
            apiBaseUrls: [`http://127.0.0.1:${apiPort}/api`],
          },
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(error instanceof ApplicationFailure, String(error));
        assert.equal(error.nonRetryable, true);
        assert.equal(error.type, 'ApiNotTrusted');
        assert.match(error.message, /^GET \/v2\/projects: answered with a redirect/);
      }
      assert.equal(seen.length, 0, 'the redirect target received a request');
    } finally {
      api.close();
      elsewhere.close();
    }
  });

  it('the log hides a key inside a Basic auth header, at any offset', () => {
    const vars = { CLOCKODO_API_KEY: 'k3y-value-0123456789', CLOCKODO_EMAIL: 'me@x.org', ACME_TOKEN_2: 'x' };
    const key = vars.CLOCKODO_API_KEY;
    const secrets = [...secretValues(vars), ...secretValues(vars).flatMap(base64Forms)];
    for (const user of ['a', 'ab', 'abc', vars.CLOCKODO_EMAIL]) {
      const header = `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
      const line = formatLogLine({ level: 'WARN', message: `sent ${header}`, timestampNanos: 0n }, secrets);
      assert.ok(!line.includes(header.slice(6)), line);
      // Whatever Base64 is left decodes to no more than a sliver of the key.
      const left = /sent Basic (\S*)"/.exec(line)?.[1] ?? '';
      for (const piece of left.split('[redacted]'))
        assert.ok(!Buffer.from(piece, 'base64').toString('latin1').includes(key.slice(0, 6)), line);
    }
  });

  it('the log hides the values of the names WORKER_SECRET_NAMES lists, whatever they are called', () => {
    const vars = { WORKER_SECRET_NAMES: 'ACME_CREDENTIAL', ACME_CREDENTIAL: 'acme-credential-value' };
    assert.deepEqual(secretValues(vars), ['acme-credential-value']);
  });
});
