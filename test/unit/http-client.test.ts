// The HTTP side of an activity without a network: Retry-After parsing, auth headers from secrets
// (and failures that must not leak them), and the URL of one page.
import { strict as assert } from 'assert';
import { ApplicationFailure } from '@temporalio/common';
import { readFileSync } from 'fs';
import * as path from 'path';
import { pageUrl, partitionLabel } from '../../activities/fetch-page';
import { authHeaders, parseRetryAfter, resolveSecret, Secrets } from '../../activities/http-client';
import { PROJECT_ROOT, resolveVariables } from '../../config/settings';
import type { ResourceConfig, SourceConfig } from '../../domain/source-config';
import { validateSourceConfig } from '../../config/validate-source-config';
import type { PageRequest } from '../../domain/types';

const NOW = Date.parse('2025-06-15T10:30:00Z');
const SECRETS: Secrets = { CLOCKODO_EMAIL: 'tester@example.com', CLOCKODO_API_KEY: 'sup3r-s3cret-key' };

/** Runs `fn` expecting an ApplicationFailure, and returns it. */
function failureOf(fn: () => unknown): ApplicationFailure {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(e)}`);
    return e;
  }
  assert.fail('nothing was thrown');
}

describe('parseRetryAfter', () => {
  it('reads seconds as milliseconds', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter(' 5 ', NOW), 5_000);
    assert.equal(parseRetryAfter('0', NOW), 0);
  });

  it('reads an HTTP date relative to now', () => {
    assert.equal(parseRetryAfter('Sun, 15 Jun 2025 10:30:30 GMT', NOW), 30_000);
    assert.equal(parseRetryAfter('Sun, 15 Jun 2025 11:30:00 GMT', NOW), 3_600_000);
  });

  it('gives 0 for a date in the past', () => {
    assert.equal(parseRetryAfter('Sun, 15 Jun 2025 10:29:00 GMT', NOW), 0);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW), 0);
  });

  it('gives undefined for garbage, empty or no header', () => {
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter('', NOW), undefined);
    assert.equal(parseRetryAfter('   ', NOW), undefined);
    assert.equal(parseRetryAfter(null, NOW), undefined);
  });

  // V8's Date.parse reads numeric-looking junk such as "1.5" or "-1" as dates in 2001: it must give
  // undefined (backoff decides), not 0 (retry at once).
  it('gives undefined for numbers that are not delay-seconds', () => {
    assert.equal(parseRetryAfter('1.5', NOW), undefined);
    assert.equal(parseRetryAfter('-1', NOW), undefined);
  });
});

describe('authHeaders', () => {
  it('builds a basic header from email and key resolved from the secrets', () => {
    const h = authHeaders(
      { type: 'basic', username: '${CLOCKODO_EMAIL}', password: '${CLOCKODO_API_KEY}' },
      SECRETS,
    );
    assert.deepEqual(h, {
      Authorization: `Basic ${Buffer.from('tester@example.com:sup3r-s3cret-key').toString('base64')}`,
    });
    assert.equal(h.Authorization, 'Basic dGVzdGVyQGV4YW1wbGUuY29tOnN1cDNyLXMzY3JldC1rZXk=');
  });

  it('uses whichever variables the references name', () => {
    const h = authHeaders(
      { type: 'basic', username: '${OTHER_USER}', password: '${OTHER_KEY}' },
      {
        ...SECRETS,
        OTHER_USER: 'u',
        OTHER_KEY: 'k',
      },
    );
    assert.equal(Buffer.from(h.Authorization.slice('Basic '.length), 'base64').toString(), 'u:k');
  });

  it('builds the Clockodo headers', () => {
    const h = authHeaders(
      { type: 'clockodo_headers', user: '${CLOCKODO_EMAIL}', api_key: '${CLOCKODO_API_KEY}' },
      SECRETS,
    );
    assert.deepEqual(h, {
      'X-ClockodoApiUser': 'tester@example.com',
      'X-ClockodoApiKey': 'sup3r-s3cret-key',
    });
  });

  it('fails non-retryably on a missing secret, naming the variable and no secret', () => {
    const f = failureOf(() =>
      authHeaders(
        { type: 'basic', username: '${CLOCKODO_EMAIL}', password: '${CLOCKODO_API_KEY}' },
        {
          CLOCKODO_EMAIL: 'tester@example.com',
        },
      ),
    );
    assert.equal(f.nonRetryable, true);
    assert.equal(f.type, 'MissingSecret');
    assert.match(f.message, /client\.auth\.password: .*\$\{CLOCKODO_API_KEY\}/);
    assert.ok(!f.message.includes('tester@example.com'), f.message);
  });

  it('fails on an empty secret too', () => {
    const f = failureOf(() =>
      authHeaders(
        { type: 'clockodo_headers', user: '${CLOCKODO_EMAIL}', api_key: '${CLOCKODO_API_KEY}' },
        {
          CLOCKODO_EMAIL: '',
          CLOCKODO_API_KEY: 'sup3r-s3cret-key',
        },
      ),
    );
    assert.equal(f.nonRetryable, true);
    assert.match(f.message, /client\.auth\.user: .*\$\{CLOCKODO_EMAIL\}/);
    assert.ok(!f.message.includes('sup3r-s3cret-key'), f.message);
  });

  it('resolveSecret returns the value of a reference and refuses anything else', () => {
    assert.equal(resolveSecret('${CLOCKODO_API_KEY}', SECRETS, 'password'), 'sup3r-s3cret-key');
    // A literal is not looked up as a name, even when a variable of that name exists.
    const f = failureOf(() => resolveSecret('CLOCKODO_API_KEY', SECRETS, 'password'));
    assert.equal(f.nonRetryable, true);
    assert.ok(!f.message.includes('sup3r-s3cret-key'), f.message);
  });
});

describe('pageUrl', () => {
  const raw: unknown = JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
  );
  const config: SourceConfig = validateSourceConfig(raw, resolveVariables({}, new Date(NOW)));
  const resource = (name: string): ResourceConfig => {
    const r = config.resources.find((x) => x.name === name);
    assert.ok(r, name);
    return r;
  };
  const request = (r: ResourceConfig, extra: Partial<PageRequest> = {}): PageRequest => ({
    destination: { url: 'http://127.0.0.1:8123', database: 'clockodo' },
    client: config.client,
    retry: config.retry,
    resource: r,
    syncId: 'run-1',
    readId: 'run-1/read-1',
    target: {},
    page: 1,
    ...extra,
  });

  it('adds page and items_per_page for a paged resource with a limit', () => {
    const url = pageUrl(request(resource('projects'), { page: 3 }));
    assert.equal(url.toString(), 'http://127.0.0.1:8787/api/v2/projects?page=3&items_per_page=1000');
  });

  it('asks for 1000 items per page when the file sets no limit', () => {
    // entries has no limit in clockodo-v2.json: the validated paginator's default is sent.
    const url = pageUrl(request(resource('entries'), { page: 2 }));
    assert.equal(url.searchParams.get('page'), '2');
    assert.equal(url.searchParams.get('items_per_page'), '1000');
  });

  it('adds the year of a partition, and no page to an unpaged endpoint', () => {
    const req = request(resource('absences'), { target: { partition: '2024' } });
    const url = pageUrl(req);
    assert.equal(url.toString(), 'http://127.0.0.1:8787/api/v2/absences?year=2024');
    assert.equal(partitionLabel(req.target), '2024');
  });

  it('adds the window bounds of an incremental slice, the end one second further', () => {
    // The docs do not say whether time_until is inclusive: one second further reads the window's last
    // second either way (what lies past it is left to the next window).
    const window = { since: '2024-01-01T00:00:00Z', until: '2024-04-01T23:59:59Z' };
    const req = request(resource('entries'), { target: { window } });
    const url = pageUrl(req);
    assert.equal(url.searchParams.get('time_since'), '2024-01-01T00:00:00Z');
    assert.equal(url.searchParams.get('time_until'), '2024-04-02T00:00:00Z');
    assert.equal(url.pathname, '/api/v2/entries');
    assert.equal(partitionLabel(req.target), '2024-01-01T00:00:00Z..2024-04-01T23:59:59Z');
  });

  it('sends the bounds of a window of whole days as dates, the end one day further', () => {
    const window = { since: '2024-01-01T00:00:00Z', until: '2024-03-31T23:59:59Z' };
    const url = pageUrl(request(resource('work_times'), { target: { window }, page: 2 }));
    assert.equal(
      url.toString(),
      'http://127.0.0.1:8787/api/v2/workTimes?page=2&items_per_page=1000&date_since=2024-01-01&date_until=2024-04-01',
    );
  });

  it('reads an unpaged list with no parameters at all', () => {
    assert.equal(pageUrl(request(resource('services'))).toString(), 'http://127.0.0.1:8787/api/v2/services');
    assert.equal(
      pageUrl(request(resource('target_hours'))).toString(),
      'http://127.0.0.1:8787/api/targethours',
    );
  });

  it('keeps filter params, encoded, before the paging params', () => {
    const entries = resource('entries');
    const r: ResourceConfig = {
      ...entries,
      endpoint: { ...entries.endpoint, params: { 'filter[users_id]': '7' } },
    };
    const url = pageUrl(
      request(r, { target: { window: { since: '2024-01-01T00:00:00Z', until: '2024-01-31T23:59:59Z' } } }),
    );
    assert.equal(url.searchParams.get('filter[users_id]'), '7');
    assert.deepEqual(
      [...url.searchParams.keys()],
      ['filter[users_id]', 'page', 'items_per_page', 'time_since', 'time_until'],
    );
    assert.ok(url.search.startsWith('?filter%5Busers_id%5D=7&page=1'), url.search);
  });

  it('ignores a partition or window the resource does not declare', () => {
    const url = pageUrl(
      request(resource('projects'), { target: { partition: '2024', window: { since: 'a', until: 'b' } } }),
    );
    assert.equal(url.search, '?page=1&items_per_page=1000');
  });

  it('labels a whole-list read with an empty partition', () => {
    assert.equal(partitionLabel({}), '');
  });

  it('joins a base URL with trailing slashes without doubling them', () => {
    const req = request(resource('projects'));
    const url = pageUrl({ ...req, client: { ...req.client, base_url: 'https://my.clockodo.com/api//' } });
    assert.equal(url.toString(), 'https://my.clockodo.com/api/v2/projects?page=1&items_per_page=1000');
  });
});
