// What a source configuration may not do (issue 16): name a secret outside client.auth, repeat a value
// that came from a setting, move a request off the API's base URL with its path, take a table name of
// the engine's own, or set a bound so far out that the process breaks. And what the worker checks
// itself, since anyone who may start a workflow writes its input: the joined request URL.
import { strict as assert } from 'assert';
import { ApplicationFailure } from '@temporalio/common';
import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { readFileSync } from 'fs';
import * as path from 'path';
import { checkRequestUrl, CredentialPolicy } from '../../activities/credential-guard';
import { getJson } from '../../activities/http-client';
import { endpointPathProblem, isUnderAllowedBase } from '../../config/request-url';
import { PROJECT_ROOT, resolveVariables } from '../../config/settings';
import { shownUrl } from '../../config/shown-url';
import { DEFAULT_RETRY, ConfigError, validateSourceConfig } from '../../config/validate-source-config';

const NOW = new Date('2025-06-15T10:30:00Z');
const SECRET = 'S3CRET-planted-7f3a9c';
const RAW = readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8');

type Raw = {
  client: Record<string, unknown> & { headers: Record<string, unknown> };
  resources: (Record<string, unknown> & {
    name: string;
    endpoint: Record<string, unknown> & {
      params?: Record<string, unknown>;
      paginator?: Record<string, unknown>;
      incremental_sync?: Record<string, unknown>;
    };
    columns: Record<string, unknown>;
  })[];
};
const raw = (): Raw => JSON.parse(RAW) as Raw;
/** Settings with the secrets a real deployment holds, each set to the planted value. */
const vars = (over: Record<string, string> = {}) => ({
  ...resolveVariables(
    {
      CLOCKODO_API_KEY: SECRET,
      CLICKHOUSE_PASSWORD: SECRET,
      TEMPORAL_API_KEY: SECRET,
      SYNC_API_TOKEN: SECRET,
      ACME_KEY: SECRET,
      WORKER_SECRET_NAMES: 'ACME_KEY',
    },
    NOW,
  ),
  ...over,
});

/** The configuration's issues; each names its field, and none holds the planted secret in any form. */
function issuesOf(config: unknown, settings = vars()): Map<string, string> {
  try {
    validateSourceConfig(config, settings, 'test.json');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    for (const form of [SECRET, Buffer.from(SECRET).toString('base64').slice(0, 16)])
      assert.ok(!e.message.includes(form), `the message repeats the secret: ${e.message}`);
    return new Map(e.issues.map((i) => [i.field, i.problem]));
  }
  assert.fail('the configuration was accepted');
}

function assertRefused(config: unknown, field: string, problem: RegExp, settings = vars()): void {
  const issues = issuesOf(config, settings);
  const found = issues.get(field);
  assert.ok(found !== undefined, `no issue at ${field}: ${JSON.stringify([...issues])}`);
  assert.match(found, problem);
}

describe('references outside client.auth', () => {
  for (const name of ['CLICKHOUSE_PASSWORD', 'CLOCKODO_API_KEY', 'TEMPORAL_API_KEY', 'ACME_KEY', 'HOME']) {
    it(`refuses \${${name}} in a header, a parameter and the base URL, naming field and reference`, () => {
      const config = raw();
      config.client.headers['X-Leak'] = `\${${name}}`;
      config.resources[0].endpoint.params = { leak: `x-\${${name}}` };
      config.client.base_url = `https://\${${name}}.example.com/api`;
      const issues = issuesOf(config);
      for (const field of ['client.headers.X-Leak', 'resources[0].endpoint.params.leak', 'client.base_url'])
        assert.match(issues.get(field) ?? '', new RegExp(`refers to \\$\\{${name}\\}`), field);
    });
  }

  it('calls a secret a secret, whether the worker lists it or its name says so', () => {
    const config = raw();
    config.client.headers['X-A'] = '${ACME_KEY}';
    config.client.headers['X-B'] = '${SYNC_API_TOKEN}';
    const issues = issuesOf(config);
    assert.match(issues.get('client.headers.X-A') ?? '', /\(a secret: name it in client\.auth only\)/);
    assert.match(issues.get('client.headers.X-B') ?? '', /\(a secret: name it in client\.auth only\)/);
  });

  it('resolves the documented non-secret settings', () => {
    const config = raw();
    config.resources[0].endpoint.params = { mode: '${SYNC_PROJECT_FILTER}' };
    const resolved = validateSourceConfig(config, vars({ SYNC_PROJECT_FILTER: 'active' }));
    assert.equal(resolved.resources[0].endpoint.params.mode, 'active');
    assert.equal(resolved.client.base_url, 'http://127.0.0.1:8787/api');
  });

  it('never repeats a value that came from a setting (base_url: "${CLOCKODO_BASE_URL}" holding a key)', () => {
    for (const value of [
      SECRET,
      `https://me:${SECRET}@api.example.com/api`,
      `https://api.example.com/?k=${SECRET}`,
    ]) {
      assertRefused(
        raw(),
        'client.base_url',
        /got the value of the setting \(from CLOCKODO_BASE_URL\)/,
        vars({ CLOCKODO_BASE_URL: value }),
      );
    }
    assertRefused(
      raw(),
      'resources[3].endpoint.incremental_sync.start_datetime',
      /from SYNC_START_DATE/,
      vars({ SYNC_START_DATE: SECRET }),
    );
    assertRefused(
      raw(),
      'resources[1].endpoint.partition_router.values',
      /from SYNC_YEARS/,
      vars({ SYNC_YEARS: `2024,${SECRET}` }),
    );
  });

  it('refuses credentials as literal headers', () => {
    for (const header of ['Authorization', 'x-clockodoapikey', 'Cookie']) {
      const config = raw();
      config.client.headers[header] = 'Basic abc';
      assertRefused(config, `client.headers.${header}`, /carries credentials: put them in client\.auth/);
    }
    const config = raw();
    config.client.headers['X-Split'] = 'a\r\nAuthorization: Basic abc';
    assertRefused(config, 'client.headers.X-Split', /must not hold line breaks/);
  });
});

describe('endpoint paths', () => {
  const refusals: [string, RegExp][] = [
    ['.evil.example/steal', /must start with "\/"/],
    ['@evil.example/x', /must start with "\/"/],
    ['//evil.example/x', /must not start with "\/\/"/],
    ['/../../admin', /"\.\." segments/],
    ['/v2/./entries', /"\.\." segments/],
    ['/v2/%2e%2e/admin', /encoded dots or slashes/],
    ['/v2/..%2Fadmin', /encoded dots or slashes/],
    ['/v2/entries?x=1', /must not hold \?, #/],
    ['/v2\\entries', /must not hold \?, #, \\/],
  ];
  for (const [p, problem] of refusals) {
    it(`refuses ${JSON.stringify(p)} when the configuration is checked`, () => {
      assert.match(endpointPathProblem(p) ?? '', problem);
      const config = raw();
      config.resources[0].endpoint.path = p;
      assertRefused(config, 'resources[0].endpoint.path', problem);
    });
  }
  it("takes the presets' paths", () => {
    for (const file of ['clockodo-v2.json', 'clockodo-current.json']) {
      const config = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/sources', file), 'utf8')) as Raw;
      for (const r of config.resources)
        assert.equal(endpointPathProblem(r.endpoint.path as string), undefined);
    }
  });
});

describe('the worker checks the joined request URL against its allowed base URLs', () => {
  const policy: CredentialPolicy = {
    secretNames: ['CLOCKODO_EMAIL', 'CLOCKODO_API_KEY'],
    apiBaseUrls: ['https://api.example.com', 'http://127.0.0.1:8787/api'],
  };
  const refused = [
    'https://api.example.com.evil.example/steal',
    'https://api.example.com@evil.example/x',
    'https://user:pw@api.example.com/x',
    'http://127.0.0.1:8787/api/../../admin',
    'http://127.0.0.1:8787/api/%2e%2e/admin',
    'http://127.0.0.1:8787/api/..%2Fadmin',
    'http://127.0.0.1:8787/apix/v2/entries',
    'http://127.0.0.1:8788/api/v2/entries',
    'https://127.0.0.1:8787/api/v2/entries',
    'not a url',
  ];
  for (const url of refused) {
    it(`refuses ${url}`, () => {
      assert.equal(isUnderAllowedBase(url, policy.apiBaseUrls), false);
      let failure: unknown;
      try {
        checkRequestUrl(url, policy);
      } catch (e) {
        failure = e;
      }
      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.type, 'RequestUrlNotAllowed');
      assert.equal(failure.nonRetryable, true);
      assert.ok(!failure.message.includes('pw@'), failure.message);
      assert.match(failure.message, /outside the API base URLs this worker sends its credentials to/);
    });
  }
  for (const url of [
    'https://api.example.com/v2/entries?page=2',
    'http://127.0.0.1:8787/api/v2/users',
    'http://127.0.0.1:8787/api',
  ]) {
    it(`lets ${url} through`, () => {
      assert.equal(isUnderAllowedBase(url, policy.apiBaseUrls), true);
      checkRequestUrl(url, policy);
    });
  }

  describe('getJson, against a listening attacker', () => {
    let attacker: Server;
    const received: IncomingMessage[] = [];
    let port = 0;
    before(async () => {
      attacker = createServer((req, res) => {
        received.push(req);
        res.end('{}');
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      port = (attacker.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

    it('sends nothing for a URL a path moved off the allowed base', async () => {
      // The allowed base is the attacker's own origin under /api; a path walks out of it, or an
      // `@` moves the request to the attacker on another base.
      const base = `http://127.0.0.1:${port}/api`;
      for (const url of [`${base}/../admin`, `http://127.0.0.1:1@127.0.0.1:${port}/x`]) {
        const error = await getJson(url, 'GET x', {
          client: {
            base_url: base,
            auth: { type: 'basic', username: '${CLOCKODO_EMAIL}', password: '${CLOCKODO_API_KEY}' },
            headers: {},
            request_timeout_seconds: 2,
          },
          retry: DEFAULT_RETRY,
          secrets: { CLOCKODO_EMAIL: 'me@example.com', CLOCKODO_API_KEY: SECRET },
          policy: { ...policy, apiBaseUrls: [base] },
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(error instanceof ApplicationFailure, String(error));
        assert.equal(error.type, 'RequestUrlNotAllowed');
      }
      assert.equal(received.length, 0);
    });
  });
});

describe('names and bounds', () => {
  for (const name of ['sync_runs', 'projects_current', 'entries__rebuild_1', 'x'.repeat(65)]) {
    it(`refuses the resource name ${name.slice(0, 20)}`, () => {
      const config = raw();
      config.resources[2].name = name;
      assertRefused(config, 'resources[2].name', /engine's own|_current|__|at most 64/);
    });
  }
  it('takes a 64-character name', () => {
    const config = raw();
    config.resources[2].name = 'x'.repeat(64);
    validateSourceConfig(config, vars());
  });

  it('refuses a column name longer than 64 characters', () => {
    const config = raw();
    config.resources[0].columns['a'.repeat(65)] = 'string?';
    assertRefused(config, `resources[0].columns.${'a'.repeat(65)}`, /at most 64 characters/);
  });

  const bounds: [string, (c: Raw) => void, string, RegExp][] = [
    [
      'a request timeout past an hour',
      (c) => (c.client.request_timeout_seconds = 3_000_000),
      'client.request_timeout_seconds',
      /from 1 to 3600/,
    ],
    [
      'a page limit of 10^9',
      (c) => (c.resources[0].endpoint.paginator!.limit = 1e9),
      'resources[0].endpoint.paginator.limit',
      /from 1 to 10000/,
    ],
    [
      'a date that does not exist',
      (c) => (c.resources[3].endpoint.incremental_sync!.start_datetime = '2026-02-30'),
      'resources[3].endpoint.incremental_sync.start_datetime',
      /a date that exists/,
    ],
    [
      'the year 1800',
      (c) => (c.resources[3].endpoint.incremental_sync!.start_datetime = '1800-01-01'),
      'resources[3].endpoint.incremental_sync.start_datetime',
      /1970 to 2100/,
    ],
    [
      'an hour 25',
      (c) => (c.resources[3].endpoint.incremental_sync!.end_datetime = '2026-01-01T25:00:00Z'),
      'resources[3].endpoint.incremental_sync.end_datetime',
      /a date that exists/,
    ],
  ];
  for (const [what, change, field, problem] of bounds) {
    it(`refuses ${what}`, () => {
      const config = raw();
      change(config);
      assertRefused(config, field, problem);
    });
  }
  it('refuses years outside 1970..2100 in SYNC_YEARS', () => {
    assertRefused(
      raw(),
      'resources[1].endpoint.partition_router.values',
      /1970 to 2100/,
      vars({ SYNC_YEARS: '1800,2025' }),
    );
  });
  it('takes an hour-long timeout, a 10000-row page and 2024-02-29', () => {
    const config = raw();
    config.client.request_timeout_seconds = 3600;
    config.resources[0].endpoint.paginator!.limit = 10_000;
    config.resources[3].endpoint.incremental_sync!.start_datetime = '2024-02-29';
    validateSourceConfig(config, vars());
  });
});

describe('shownUrl', () => {
  it('shows scheme, host, port and path, never credentials, a query or unreadable text', () => {
    assert.equal(shownUrl('http://127.0.0.1:8123'), 'http://127.0.0.1:8123');
    assert.equal(
      shownUrl(`https://u:${SECRET}@ch.example.com:8443/x?password=${SECRET}`),
      'https://ch.example.com:8443/x (credentials and query not shown)',
    );
    assert.equal(shownUrl(SECRET), '(a value that is not a URL)');
  });
});
