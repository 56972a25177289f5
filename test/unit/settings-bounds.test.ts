// Every setting is bounded before anything uses it: a bad value is a SettingsError that names the
// setting and the problem, and a value that may hold a secret (a URL, an address) is never repeated.
import { strict as assert } from 'assert';
import { parseHostPort } from '../../config/host-port';
import {
  clickHouseSettings,
  destinationOf,
  integerSetting,
  resolveVariables,
  SettingsError,
} from '../../config/settings';
import { MAX_YEAR, MIN_YEAR } from '../../config/sync-period';
import { temporalUiPort } from '../../config/temporal-settings';
import { YEAR_RANGE } from '../../config/validate-source-config';
import { workerLogLevel, workerMetricsAddress, workerNodeFlags } from '../../config/worker-settings';

const NOW = new Date('2026-06-15T10:30:00Z');

/** Asserts `fn` throws a SettingsError starting with `setting:`, matching `pattern` and free of `secret`. */
function assertSetting(fn: () => unknown, setting: string, pattern: RegExp, secret?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SettingsError, `expected a SettingsError, got ${String(e)}`);
    assert.ok(e.message.startsWith(`${setting}: `), e.message);
    assert.match(e.message, pattern);
    if (secret !== undefined) assert.ok(!e.message.includes(secret), `the message repeats ${secret}`);
    assert.ok(e.message.length < 400, `a message of ${e.message.length} characters`);
    return true;
  });
}

describe('SYNC_YEARS', () => {
  it('takes recent:N for N from 1 to 50, as a rule', () => {
    const vars = resolveVariables({ SYNC_YEARS: 'recent:2' }, NOW);
    assert.equal(vars.SYNC_YEARS, '2025,2026');
    assert.equal(vars.SYNC_YEARS_RULE, 'recent:2');
    assert.equal(resolveVariables({ SYNC_YEARS: 'recent:50' }, NOW).SYNC_YEARS.split(',').length, 50);
  });

  it('refuses N out of bounds before building any list, quoting it short', () => {
    for (const text of ['recent:0', 'recent:51', 'recent:100000', 'recent:999999999', 'recent:', 'recent:x'])
      assertSetting(() => resolveVariables({ SYNC_YEARS: text }, NOW), 'SYNC_YEARS', /from 1 to 50/);
    // A megabyte of digits is refused as fast, and not printed back.
    const huge = `recent:${'9'.repeat(1_000_000)}`;
    assertSetting(() => resolveVariables({ SYNC_YEARS: huge }, NOW), 'SYNC_YEARS', /from 1 to 50/);
  });

  it('bounds a rule handed on in the environment like the setting', () => {
    assert.deepEqual(
      resolveVariables({ SYNC_YEARS: '2024', SYNC_YEARS_RULE: 'recent:3' }, NOW).SYNC_YEARS_RULE,
      'recent:3',
    );
    assertSetting(
      () => resolveVariables({ SYNC_YEARS: '2024', SYNC_YEARS_RULE: 'recent:999999999' }, NOW),
      'SYNC_YEARS_RULE',
      /from 1 to 50/,
    );
  });

  it('takes a list of years from 1970 to 2100, each once', () => {
    // The same range as the source configuration's check of the years it reads.
    assert.deepEqual({ min: MIN_YEAR, max: MAX_YEAR }, YEAR_RANGE);
    assert.equal(resolveVariables({ SYNC_YEARS: '1970, 2100' }, NOW).SYNC_YEARS, '1970, 2100');
    assertSetting(() => resolveVariables({ SYNC_YEARS: '1969' }, NOW), 'SYNC_YEARS', /1970 to 2100.*"1969"/);
    assertSetting(() => resolveVariables({ SYNC_YEARS: '2024,2101' }, NOW), 'SYNC_YEARS', /"2101"/);
    assertSetting(() => resolveVariables({ SYNC_YEARS: '24' }, NOW), 'SYNC_YEARS', /1970 to 2100/);
    assertSetting(() => resolveVariables({ SYNC_YEARS: ',' }, NOW), 'SYNC_YEARS', /no year given/);
    assertSetting(
      () => resolveVariables({ SYNC_YEARS: '2024,2024' }, NOW),
      'SYNC_YEARS',
      /2024 is named twice/,
    );
  });
});

describe('SYNC_START_DATE', () => {
  it('takes a day that exists, or an ISO datetime as the source configuration does', () => {
    for (const text of [
      '2024-02-29',
      '1970-01-01',
      '2100-12-31',
      '2024-01-01T00:00:00Z',
      '2024-01-01T08:30+02:00',
    ])
      assert.equal(resolveVariables({ SYNC_START_DATE: text }, NOW).SYNC_START_DATE, text);
  });

  it('refuses a day that does not exist instead of moving it to the next month', () => {
    for (const text of ['2026-02-30', '2025-02-29', '2026-04-31', '2026-13-01', '2026-00-10'])
      assertSetting(() => resolveVariables({ SYNC_START_DATE: text }, NOW), 'SYNC_START_DATE', /no such day/);
    assertSetting(
      () => resolveVariables({ SYNC_START_DATE: '2026-01-01T24:00:00Z' }, NOW),
      'SYNC_START_DATE',
      /no such time/,
    );
  });

  it('refuses years outside 1970 to 2100 and other shapes', () => {
    assertSetting(
      () => resolveVariables({ SYNC_START_DATE: '1969-12-31' }, NOW),
      'SYNC_START_DATE',
      /1970 to 2100/,
    );
    assertSetting(
      () => resolveVariables({ SYNC_START_DATE: '9999-01-01' }, NOW),
      'SYNC_START_DATE',
      /1970 to 2100/,
    );
    assertSetting(
      () => resolveVariables({ SYNC_START_DATE: '01.02.2024' }, NOW),
      'SYNC_START_DATE',
      /a date such as/,
    );
  });
});

describe('CLICKHOUSE_URL', () => {
  const vars = (url: string) => ({ ...resolveVariables({}, NOW), CLICKHOUSE_URL: url });

  it('must be http or https, and is never repeated when it is not', () => {
    for (const url of [
      'ftp://u:hunter2-secret@ch.example.com',
      'hunter2-secret',
      'http//u:hunter2-secret@x',
      'http://',
    ])
      assertSetting(
        () => clickHouseSettings(vars(url)),
        'CLICKHOUSE_URL',
        /http:\/\/ or https:\/\//,
        'hunter2-secret',
      );
    assert.equal(clickHouseSettings(vars('https://ch.example.com:8443')).url, 'https://ch.example.com:8443');
  });

  it('hands a user and password in the URL on as such, and keeps them out of the URL', () => {
    const s = clickHouseSettings({
      ...vars('http://sync%40acme:p%3Ass@ch.example.com:8123'),
      CLICKHOUSE_USER: 'x',
    });
    assert.deepEqual([s.url, s.user, s.password], ['http://ch.example.com:8123', 'sync@acme', 'p:ss']);
    // Only a user: the password setting stays.
    const u = clickHouseSettings({ ...vars('http://reader@ch.example.com:8123'), CLICKHOUSE_PASSWORD: 'pw' });
    assert.deepEqual([u.url, u.user, u.password], ['http://ch.example.com:8123', 'reader', 'pw']);
    assert.equal(destinationOf(vars('http://u:pw@ch.example.com:8123')).url, 'http://ch.example.com:8123');
    // Nor does a query (it may carry a token) go into the request Temporal keeps.
    assert.equal(
      destinationOf(vars('https://ch.example.com:8443/?token=t0k3n#x')).url,
      'https://ch.example.com:8443',
    );
  });
});

describe('worker settings', () => {
  it('WORKER_NODE_FLAGS: flags after the heap limits, nothing that node would run as a script', () => {
    assert.deepEqual(
      workerNodeFlags({
        WORKER_MAX_HEAP_MB: '256',
        WORKER_SEMI_SPACE_MB: '8',
        WORKER_NODE_FLAGS: ' --cpu-prof  --cpu-prof-dir=/tmp/p ',
      }),
      ['--max-old-space-size=256', '--max-semi-space-size=8', '--cpu-prof', '--cpu-prof-dir=/tmp/p'],
    );
    assertSetting(
      () => workerNodeFlags({ WORKER_NODE_FLAGS: '--cpu-prof evil.js' }),
      'WORKER_NODE_FLAGS',
      /"evil.js"/,
    );
    assertSetting(() => workerNodeFlags({ WORKER_MAX_HEAP_MB: '-5' }), 'WORKER_MAX_HEAP_MB', /64 to 65536/);
  });

  it('WORKER_METRICS_ADDRESS: off or host:port, never repeated', () => {
    assert.equal(workerMetricsAddress({}), '127.0.0.1:9464');
    assert.equal(workerMetricsAddress({ WORKER_METRICS_ADDRESS: 'off' }), 'off');
    assert.equal(workerMetricsAddress({ WORKER_METRICS_ADDRESS: '[::1]:9464' }), '[::1]:9464');
    for (const text of ['9464', 'http://u:hunter2-secret@h:9464', 'h:0', 'h:65536', 'OFF'])
      assertSetting(
        () => workerMetricsAddress({ WORKER_METRICS_ADDRESS: text }),
        'WORKER_METRICS_ADDRESS',
        /host:port/,
        'hunter2-secret',
      );
  });

  it('LOG_LEVEL: one of the SDK levels, in any case', () => {
    assert.equal(workerLogLevel({}), 'INFO');
    assert.equal(workerLogLevel({ LOG_LEVEL: 'debug' }), 'DEBUG');
    assertSetting(
      () => workerLogLevel({ LOG_LEVEL: 'loud' }),
      'LOG_LEVEL',
      /TRACE, DEBUG, INFO, WARN, ERROR/,
    );
  });
});

describe('whole-number settings', () => {
  it('TEMPORAL_UI_PORT: 1 to 65535, 8233 unset', () => {
    assert.equal(temporalUiPort({}), 8233);
    assert.equal(temporalUiPort({ TEMPORAL_UI_PORT: '18233' }), 18233);
    for (const text of ['0', '65536', 'x', '99999999999999999999'])
      assertSetting(() => temporalUiPort({ TEMPORAL_UI_PORT: text }), 'TEMPORAL_UI_PORT', /1 to 65535/);
  });

  it('quotes a long bad value cut short', () => {
    assertSetting(
      () => integerSetting({ X: 'y'.repeat(100_000) }, 'X', { min: 1, max: 2, default: 1 }),
      'X',
      /"y{40}…"$/,
    );
  });
});

describe('host:port', () => {
  it('takes a name, an IPv4 address or a bracketed IPv6 address, and a port 1-65535', () => {
    assert.deepEqual(parseHostPort('acme.a1b2c.tmprl.cloud:7233'), {
      host: 'acme.a1b2c.tmprl.cloud',
      port: 7233,
    });
    assert.deepEqual(parseHostPort('127.0.0.1:1'), { host: '127.0.0.1', port: 1 });
    assert.deepEqual(parseHostPort('[::1]:65535'), { host: '::1', port: 65535 });
    assert.deepEqual(parseHostPort('temporal_frontend:7233'), { host: 'temporal_frontend', port: 7233 });
  });

  it('refuses anything else', () => {
    for (const text of [
      'localhost',
      ':7233',
      'host:0',
      'host:65536',
      'host:7233x',
      '::1:7233',
      '[::g]:7233',
      '999.1.1.1:7233',
      '-host:7233',
      'a b:7233',
      'http://host:7233',
      'host:7233/path',
    ])
      assert.equal(parseHostPort(text), undefined, text);
  });
});
