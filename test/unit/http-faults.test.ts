// The client against every fault kind of the local API server, without Temporal: what each becomes
// (retried or not, the next delay, the message), one deadline for headers and body, cancellation,
// and no secret in a message.
import { strict as assert } from 'assert';
import { ApplicationFailure } from '@temporalio/common';
import { generateDataset } from '../../api-server/data-generator';
import { FaultName, namedFault, NAMED_FAULTS } from '../../api-server/faults';
import { errorBody } from '../../api-server/http-util';
import { RunningApiServer, startApiServer } from '../../api-server/server';
import { getJson, GetJsonOptions, retriesStatus } from '../../activities/http-client';
import { DEFAULT_RETRY } from '../../config/validate-source-config';

const CREDENTIALS = { email: 'unit@example.com', apiKey: 'unit-secret-key-4711' };
const RETRY = DEFAULT_RETRY;
const DESCRIBE = 'GET /v2/customers?page=1&items_per_page=5';

/** What each named fault becomes: the failure's type, whether it is retried, and its message. */
const EXPECTED: Record<FaultName, { type: string; retried: boolean; says: string | RegExp; delay?: number }> =
  {
    '429': { type: 'HttpStatus429', retried: true, says: 'answered 429 Too Many Requests' },
    '429-retry-after-seconds': {
      type: 'HttpStatus429',
      retried: true,
      says: 'answered 429 Too Many Requests (Retry-After: 1)',
      delay: 1000,
    },
    '429-retry-after-date': {
      type: 'HttpStatus429',
      retried: true,
      says: /^answered 429 Too Many Requests \(Retry-After: \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT\)$/,
    },
    '500': { type: 'HttpStatus500', retried: true, says: 'answered 500 Internal Server Error' },
    '502': { type: 'HttpStatus502', retried: true, says: 'answered 502 Bad Gateway' },
    '503': { type: 'HttpStatus503', retried: true, says: 'answered 503 Service Unavailable' },
    '504': { type: 'HttpStatus504', retried: true, says: 'answered 504 Gateway Timeout' },
    reset: {
      type: 'HttpNetworkError',
      retried: true,
      says: 'no answer: the connection was reset (read ECONNRESET)',
    },
    'reset-mid-body': {
      type: 'HttpBodyError',
      retried: true,
      says: 'answered 200 OK but the body broke off: the connection was reset (read ECONNRESET)',
    },
    'stall-headers': {
      type: 'HttpTimeout',
      retried: true,
      says: 'no answer within 1 s (client.request_timeout_seconds)',
    },
    'stall-body': {
      type: 'HttpTimeout',
      retried: true,
      says: 'answered 200 OK but the body did not finish within 1 s (client.request_timeout_seconds)',
    },
    'truncated-json': {
      type: 'InvalidJsonResponse',
      retried: true,
      says: /^answered 200 OK: JSON that breaks off after \d+ bytes \(.+\)$/,
    },
    'html-502': {
      type: 'HttpStatus502',
      retried: true,
      says: `answered 502 Bad Gateway: an HTML page, not the API's JSON ("502 Bad Gateway")`,
    },
    'html-200': {
      type: 'HtmlResponse',
      retried: true,
      says: `answered 200 OK: an HTML page, not the API's JSON ("Scheduled maintenance")`,
    },
    '400': { type: 'HttpStatus400', retried: false, says: 'answered 400 Bad Request' },
    '401': {
      type: 'HttpStatus401',
      retried: false,
      says: "answered 401 Unauthorized (the worker's CLOCKODO_EMAIL and CLOCKODO_API_KEY were refused)",
    },
    '403': {
      type: 'HttpStatus403',
      retried: false,
      says: 'answered 403 Forbidden (the API user lacks the rights to read this)',
    },
  };

describe('the API client against every fault kind', function () {
  this.timeout(20_000);
  let server: RunningApiServer;
  let url: string;
  const options = (timeoutSeconds = 1): GetJsonOptions => ({
    client: {
      base_url: server.url,
      auth: { type: 'basic', username: '${CLOCKODO_EMAIL}', password: '${CLOCKODO_API_KEY}' },
      headers: { 'X-Clockodo-External-Application': 'unit;unit@example.com' },
      request_timeout_seconds: timeoutSeconds,
    },
    retry: RETRY,
    secrets: { CLOCKODO_EMAIL: CREDENTIALS.email, CLOCKODO_API_KEY: CREDENTIALS.apiKey },
    policy: {
      secretNames: ['CLOCKODO_EMAIL', 'CLOCKODO_API_KEY'],
      apiBaseUrls: [server.url.replace(/\/+$/, '')],
    },
  });

  /** The failure getJson ends with, and how long it took. */
  async function failureOf(opts = options()): Promise<{ f: ApplicationFailure; ms: number }> {
    const t0 = Date.now();
    try {
      await getJson(url, DESCRIBE, opts);
    } catch (e) {
      assert.ok(e instanceof ApplicationFailure, `not an ApplicationFailure: ${String(e)}`);
      return { f: e, ms: Date.now() - t0 };
    }
    return assert.fail('getJson succeeded');
  }

  before(async () => {
    const year = new Date().getUTCFullYear();
    const dataset = generateDataset(
      3,
      { customers: 12, projects: 2, absencesPerYear: 1, entries: 2, users: 1, years: [year] },
      new Date(),
    );
    server = await startApiServer({ dataset, credentials: CREDENTIALS, maxItemsPerPage: 5 });
    url = `${server.url}/v2/customers?page=1&items_per_page=5`;
  });
  afterEach(() => server.clearFaults());
  after(() => server.close());

  it('reads the page when nothing goes wrong', async () => {
    const doc = (await getJson(url, DESCRIBE, options())) as { customers: unknown[] };
    assert.equal(doc.customers.length, 5);
  });

  it('a status in neither list: a 4xx fails at once, a 5xx (or 408) is retried', async () => {
    server.injectFault({ status: 409, times: 1 });
    const conflict = (await failureOf()).f;
    assert.equal(conflict.nonRetryable, true);
    assert.match(conflict.message, /answered 409 Conflict.*\(not in retry\.retry_on_status: not retried\)$/);
    for (const status of [507, 408]) {
      server.injectFault({ status, times: 1 });
      assert.equal((await failureOf()).f.nonRetryable, false, `${status} is retried`);
    }
    assert.deepEqual(
      [429, 404, 423, 520].map((s) => retriesStatus(RETRY, s)),
      [true, false, false, true],
    );
  });

  for (const name of NAMED_FAULTS) {
    it(name, async () => {
      const expected = EXPECTED[name];
      server.injectFault({ ...namedFault(name), stallMs: 10_000 });
      const { f } = await failureOf();
      assert.equal(f.type, expected.type);
      assert.equal(f.nonRetryable, !expected.retried);
      assert.ok(f.message.startsWith(`${DESCRIBE}: `), f.message);
      const says = f.message.slice(DESCRIBE.length + 2);
      if (typeof expected.says === 'string') assert.equal(says, expected.says);
      else assert.match(says, expected.says);
      if (expected.delay !== undefined) assert.equal(f.nextRetryDelay, expected.delay);
      // The next request is served: the fault was one answer, not a broken client.
      assert.ok(await getJson(url, DESCRIBE, options()));
    });
  }

  it('asks Temporal to wait as long as an HTTP-date Retry-After says', async () => {
    server.injectFault({ status: 503, times: 1, retryAfterDateIn: 5 });
    const { f } = await failureOf();
    const delay = Number(f.nextRetryDelay);
    assert.ok(delay > 3500 && delay <= 5000, `${delay} ms`);
  });

  it('never asks for a delay of 0 (Temporal would stop retrying): Retry-After 0 is 100 ms', async () => {
    server.injectFault({ status: 503, times: 1, retryAfter: '0' });
    assert.equal((await failureOf()).f.nextRetryDelay, 100);
  });

  it('leaves the delay to backoff when Retry-After is not to be honoured', async () => {
    server.injectFault({ status: 429, times: 1, retryAfter: '7' });
    const opts = options();
    const { f } = await failureOf({ ...opts, retry: { ...RETRY, respect_retry_after: false } });
    assert.equal(f.nextRetryDelay, undefined);
  });

  it('one deadline covers headers and body together', async () => {
    // Headers after 0.6 s, then the body stalls: node-fetch's own timeout would give up at 1.6 s.
    const slow = await startApiServer({
      dataset: server.dataset,
      credentials: CREDENTIALS,
      maxItemsPerPage: 5,
      latencyMs: 600,
    });
    try {
      slow.injectFault({ kind: 'stall-body', times: 1, stallMs: 10_000 });
      const opts = options();
      const t0 = Date.now();
      const e = await getJson(`${slow.url}/v2/customers?page=1`, DESCRIBE, {
        ...opts,
        client: { ...opts.client, base_url: slow.url },
        policy: { ...opts.policy, apiBaseUrls: [slow.url] },
      }).catch((err: unknown) => err);
      const ms = Date.now() - t0;
      assert.ok(e instanceof ApplicationFailure && e.type === 'HttpTimeout', String(e));
      assert.ok(ms >= 950 && ms < 1400, `gave up after ${ms} ms`);
    } finally {
      await slow.close();
    }
  });

  it('a cancelled activity ends its request with the cancellation, not a failure', async () => {
    server.injectFault({ kind: 'stall-headers', times: 1, stallMs: 10_000 });
    const cancel = new AbortController();
    const reason = new Error('cancelled by the workflow');
    setTimeout(() => cancel.abort(reason), 100);
    const t0 = Date.now();
    const e = await getJson(url, DESCRIBE, { ...options(5), signal: cancel.signal }).catch(
      (err: unknown) => err,
    );
    assert.equal(e, reason);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('keeps the API error body short and its fields, and never repeats a secret a server echoes', async () => {
    const echoed = `bad key ${CREDENTIALS.apiKey} for ${CREDENTIALS.email}`;
    server.injectFault({
      status: 400,
      times: 1,
      body: JSON.stringify(errorBody(echoed, ['X-ClockodoApiKey'])),
    });
    const { f } = await failureOf();
    assert.equal(
      f.message,
      `${DESCRIBE}: answered 400 Bad Request: bad key [redacted] for ${CREDENTIALS.email} (fields: X-ClockodoApiKey)`,
    );
    server.injectFault({
      kind: 'html',
      status: 503,
      times: 1,
      body: `<html><body>${'x'.repeat(5000)}</body></html>`,
    });
    const html = (await failureOf()).f.message;
    assert.equal(html, `${DESCRIBE}: answered 503 Service Unavailable: an HTML page, not the API's JSON`);
  });

  it('says a body that is not JSON is not JSON, and shows its start', async () => {
    server.injectFault({ status: 200, times: 1, body: 'OK then' });
    const { f } = await failureOf();
    assert.equal(f.type, 'InvalidJsonResponse');
    assert.match(f.message, /: answered 200 OK: not JSON \(.*\): OK then$/);
  });
});
