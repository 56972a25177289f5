// The source configuration and the settings it is resolved against: the seed's default file must
// validate, and every kind of mistake must be reported with the exact field it concerns.
import { strict as assert } from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import {
  clickHouseSettings,
  defaultSettings,
  parseDotEnv,
  PROJECT_ROOT,
  readEnv,
  resolveVariables,
  SettingsError,
} from '../../config/settings';
import type { ColumnSpec, ResourceConfig } from '../../domain/source-config';
import { loadSourceConfig } from '../../config/load-source-config';
import {
  checkSourceConfig,
  ConfigError,
  ConfigIssue,
  validateSourceConfig,
} from '../../config/validate-source-config';

const NOW = new Date('2025-06-15T10:30:00Z');
const CONFIG_PATH = path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json');
const CONFIG_TEXT = readFileSync(CONFIG_PATH, 'utf8');

// The parts of the raw file the tests change; anything else stays unknown.
interface RawResource {
  [key: string]: unknown;
  name: string;
  endpoint: {
    [key: string]: unknown;
    paginator: Record<string, unknown>;
    incremental_sync: Record<string, unknown>;
  };
  columns: Record<string, unknown>;
}
interface RawConfig {
  [key: string]: unknown;
  client: { [key: string]: unknown; auth: Record<string, unknown> };
  retry: Record<string, unknown>;
  resources: RawResource[];
}
// Tests mutate the raw object, so each gets a fresh parse.
const rawConfig = (): RawConfig => JSON.parse(CONFIG_TEXT) as RawConfig;
const defaultVars = (overrides: Record<string, string> = {}) => ({
  ...resolveVariables({}, NOW),
  ...overrides,
});

/** Runs the validator expecting a ConfigError, and returns it. */
function configError(raw: unknown, vars = defaultVars()): ConfigError {
  try {
    validateSourceConfig(raw, vars, 'test.json');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('the configuration was accepted');
}

/** The issue at exactly `field`, whose problem matches `problem`; also checks it is in the message. */
function assertIssue(err: ConfigError, field: string, problem: RegExp): ConfigIssue {
  const issue = err.issues.find((i) => i.field === field);
  assert.ok(issue, `no issue at ${field}; issues: ${JSON.stringify(err.issues)}`);
  assert.match(issue.problem, problem);
  assert.ok(err.message.includes(`  - ${field}: ${issue.problem}`), err.message);
  return issue;
}

describe('validateSourceConfig: the default configuration', () => {
  const config = validateSourceConfig(rawConfig(), defaultVars(), 'clockodo-v2.json');
  const byName = (name: string) => {
    const r = config.resources.find((x) => x.name === name);
    assert.ok(r, `resource ${name}`);
    return r;
  };

  it('keeps every resource in file order', () => {
    assert.deepEqual(
      config.resources.map((r) => r.name),
      [
        'projects',
        'absences',
        'customers',
        'entries',
        'services',
        'lumpsum_services',
        'users',
        'teams',
        'surcharges',
        'nonbusiness_days',
        'target_hours',
        'holidays_quota',
        'holidays_carry',
        'overtime_carry',
        'user_reports',
        'work_times',
      ],
    );
  });

  it('turns ${SYNC_YEARS} into the list of the last three years', () => {
    assert.deepEqual(byName('absences').endpoint.partition_router?.values, ['2023', '2024', '2025']);
    assert.equal(byName('absences').endpoint.partition_router?.request_option.field_name, 'year');
    // The values remember their setting, so a run can resolve a relative one at its own start.
    assert.equal(byName('absences').endpoint.partition_router?.values_setting, 'SYNC_YEARS');
  });

  it('splits a custom SYNC_YEARS list, trimming spaces', () => {
    const c = validateSourceConfig(rawConfig(), defaultVars({ SYNC_YEARS: '2020, 2021' }));
    assert.deepEqual(c.resources[1].endpoint.partition_router?.values, ['2020', '2021']);
  });

  it('resolves ${CLOCKODO_BASE_URL} and the application header', () => {
    assert.equal(config.client.base_url, 'http://127.0.0.1:8787/api');
    assert.deepEqual(config.client.headers, {
      'X-Clockodo-External-Application': 'clockodo-clickhouse-sync;demo@example.com',
    });
    const c = validateSourceConfig(
      rawConfig(),
      defaultVars({ CLOCKODO_BASE_URL: 'https://my.clockodo.com/api' }),
    );
    assert.equal(c.client.base_url, 'https://my.clockodo.com/api');
  });

  it('keeps auth as ${VAR} references, never the secrets themselves', () => {
    assert.deepEqual(config.client.auth, {
      type: 'basic',
      username: '${CLOCKODO_EMAIL}',
      password: '${CLOCKODO_API_KEY}',
    });
    // The resolved secret values must appear nowhere in the validated configuration.
    const vars = defaultVars({ CLOCKODO_EMAIL: 'who@example.org', CLOCKODO_API_KEY: 'very-secret-key' });
    const text = JSON.stringify(validateSourceConfig(rawConfig(), vars));
    assert.ok(!text.includes('very-secret-key'));
    assert.ok(!text.includes('who@example.org'));
  });

  it('gives every resource the primary key and write disposition of resource_defaults', () => {
    // Records the API does not identify by id alone: carries have none on the docs' routes, recurring
    // nonbusiness days keep theirs every year, reports and work days have none.
    const composite: Record<string, string[]> = {
      nonbusiness_days: ['id', 'year'],
      holidays_carry: ['users_id', 'year'],
      overtime_carry: ['users_id', 'year'],
      user_reports: ['users_id', 'year'],
      work_times: ['users_id', 'date'],
    };
    for (const r of config.resources) {
      assert.equal(r.write_disposition, 'merge', r.name);
      if (composite[r.name]) {
        // Records without an id: keyed by several fields, hashed into _key.
        assert.deepEqual(r.primary_key, composite[r.name], r.name);
        assert.equal(r.key_column, '_key', r.name);
        continue;
      }
      assert.deepEqual(r.primary_key, ['id'], r.name);
      assert.equal(r.key_column, 'id', r.name);
      assert.deepEqual(r.columns.id, { kind: 'int', nullable: false }, r.name);
    }
  });

  it('fills in paginator defaults', () => {
    const p = byName('projects').endpoint.paginator;
    assert.deepEqual(p, {
      type: 'page_number',
      page_param: 'page',
      base_page: 1,
      limit: 1000,
      limit_param: 'items_per_page',
      stop_condition: 'response.paging.count_pages == response.paging.current_page',
      total_path: 'paging.count_pages',
      total_items_path: 'paging.count_items',
      max_concurrency: 4,
    });
    // entries has no limit in the file: it gets 1000 (servers answer small pages without one).
    assert.equal(byName('entries').endpoint.paginator?.limit, 1000);
    assert.equal(byName('absences').endpoint.paginator, undefined);
  });

  it('resolves the incremental window of entries', () => {
    assert.deepEqual(byName('entries').endpoint.incremental_sync, {
      type: 'datetime',
      cursor_field: 'time_last_change',
      start_datetime: '2023-01-01',
      start_setting: 'SYNC_START_DATE',
      end_datetime: 'now',
      start_param: 'time_since',
      end_param: 'time_until',
      window_field: 'time_since',
      slice_days: 92,
      parallel_windows: 4,
    });
  });

  it('reads column kinds and nullability', () => {
    assert.deepEqual(byName('entries').columns.time_since, { kind: 'datetime', nullable: true });
    assert.deepEqual(byName('projects').columns.deadline, { kind: 'date', nullable: true });
    assert.deepEqual(byName('projects').columns.budget_money, { kind: 'float', nullable: true });
    assert.equal(byName('projects').columns.$comment, undefined);
  });

  it('uses the retry block and the request timeout', () => {
    assert.equal(config.retry.max_retries, 3);
    assert.deepEqual(config.retry.fail_fast_on_status, [400, 401, 403, 404]);
    assert.equal(config.client.request_timeout_seconds, 60);
  });
});

describe("validateSourceConfig: the paginator's old keys (before dlt's names)", () => {
  /** The preset written the old way: type "cursor", cursor_param, count_pages_path. */
  const oldKeys = () => {
    const raw = rawConfig();
    for (const r of raw.resources) {
      const p = r.endpoint.paginator as Record<string, unknown> | undefined;
      if (!p) continue;
      p.type = 'cursor';
      p.cursor_param = p.page_param;
      delete p.page_param;
      p.count_pages_path = 'paging.count_pages';
    }
    return raw;
  };

  it('validate to the same configuration, with one deprecation line per old key', () => {
    const current = checkSourceConfig(rawConfig(), defaultVars());
    assert.deepEqual(current.deprecations, []);
    const old = checkSourceConfig(oldKeys(), defaultVars());
    assert.deepEqual(old.config, current.config);
    assert.ok(
      old.deprecations.includes('resources[3].endpoint.paginator.cursor_param is deprecated: use page_param'),
    );
    assert.ok(
      old.deprecations.includes(
        'resources[3].endpoint.paginator.count_pages_path is deprecated: use total_path',
      ),
    );
    const type = old.deprecations.find((d) => d.startsWith('resources[3].endpoint.paginator.type '));
    assert.match(type ?? '', /is deprecated: use "page_number" .*dlt.*token/);
    const paged = rawConfig().resources.filter((r) => r.endpoint.paginator).length;
    assert.equal(old.deprecations.length, 3 * paged);
  });

  it('are printed once each on stderr by whoever loads the file (start-sync, schedule, report)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'old-keys-'));
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    try {
      const file = path.join(dir, 'old.json');
      writeFileSync(file, JSON.stringify(oldKeys()));
      process.stderr.write = (chunk: string | Uint8Array) => written.push(String(chunk)) > 0;
      const vars = defaultVars({ SOURCE_CONFIG: file });
      const first = loadSourceConfig(vars);
      loadSourceConfig(vars);
      assert.deepEqual(first, validateSourceConfig(rawConfig(), defaultVars()));
    } finally {
      process.stderr.write = write;
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(written.length, 3 * rawConfig().resources.filter((r) => r.endpoint.paginator).length);
    assert.ok(
      written.includes(
        `warning: ${path.join(dir, 'old.json')}: resources[3].endpoint.paginator.cursor_param is deprecated: use page_param\n`,
      ),
      written.join(''),
    );
  });

  it('refuse an old key beside its new name', () => {
    const raw = rawConfig();
    raw.resources[0].endpoint.paginator.cursor_param = 'p';
    assertIssue(configError(raw), 'resources[0].endpoint.paginator.cursor_param', /deprecated name/);
  });

  it('still need a page parameter under one name or the other', () => {
    const raw = rawConfig();
    delete raw.resources[0].endpoint.paginator.page_param;
    assertIssue(configError(raw), 'resources[0].endpoint.paginator.page_param', /is required/);
  });
});

describe('validateSourceConfig: mistakes', () => {
  it('reports an unknown field (a typo) with its path and the allowed names', () => {
    const raw = rawConfig();
    raw.resources[0].endpoint.data_selectr = raw.resources[0].endpoint.data_selector;
    delete raw.resources[0].endpoint.data_selector;
    const err = configError(raw);
    assertIssue(err, 'resources[0].endpoint.data_selectr', /unknown field .*data_selector/);
    assertIssue(err, 'resources[0].endpoint.data_selector', /is required/);
  });

  it('keeps a configured page size', () => {
    const raw = rawConfig();
    raw.resources[0].endpoint.paginator.limit = 250;
    assert.equal(validateSourceConfig(raw, defaultVars()).resources[0].endpoint.paginator?.limit, 250);
  });

  it('keeps a configured parallel_windows', () => {
    const raw = rawConfig();
    raw.resources[3].endpoint.incremental_sync.parallel_windows = 2;
    const c = validateSourceConfig(raw, defaultVars());
    assert.equal(c.resources[3].endpoint.incremental_sync?.parallel_windows, 2);
  });

  it('rejects a parallel_windows below 1 or not an integer', () => {
    for (const bad of [0, -1, 1.5, '2']) {
      const raw = rawConfig();
      raw.resources[3].endpoint.incremental_sync.parallel_windows = bad;
      assertIssue(
        configError(raw),
        'resources[3].endpoint.incremental_sync.parallel_windows',
        /must be an integer from 1 to 16, got/,
      );
    }
  });

  it('rejects a negative page size', () => {
    const raw = rawConfig();
    raw.resources[0].endpoint.paginator.limit = -5;
    assertIssue(configError(raw), 'resources[0].endpoint.paginator.limit', /integer from 1 to 10000, got -5/);
  });

  it('rejects a stop condition without a comparison', () => {
    const raw = rawConfig();
    raw.resources[0].endpoint.paginator.stop_condition = 'response.paging.count_pages';
    assertIssue(configError(raw), 'resources[0].endpoint.paginator.stop_condition', /has no comparison/);
  });

  it('rejects a stop condition whose operand cannot be read', () => {
    const raw = rawConfig();
    raw.resources[2].endpoint.paginator.stop_condition = 'paging.count_pages == 3';
    assertIssue(
      configError(raw),
      'resources[2].endpoint.paginator.stop_condition',
      /cannot read "paging.count_pages"/,
    );
  });

  it('rejects a literal password, without echoing it', () => {
    const raw = rawConfig();
    raw.client.auth.password = 'hunter2-literal';
    const err = configError(raw);
    assertIssue(err, 'client.auth.password', /must be a reference to an environment variable/);
    assert.ok(!err.message.includes('hunter2-literal'), err.message);
  });

  it('rejects a literal in clockodo_headers auth too', () => {
    const raw = rawConfig();
    raw.client.auth = { type: 'clockodo_headers', user: '${CLOCKODO_EMAIL}', api_key: 'abc' };
    const err = configError(raw);
    assert.deepEqual(
      err.issues.map((i) => i.field),
      ['client.auth.api_key'],
    );
  });

  it('accepts clockodo_headers auth with references', () => {
    const raw = rawConfig();
    raw.client.auth = { type: 'clockodo_headers', user: '${CLOCKODO_EMAIL}', api_key: '${CLOCKODO_API_KEY}' };
    assert.deepEqual(validateSourceConfig(raw, defaultVars()).client.auth, raw.client.auth);
  });

  it('reports a reference to a variable that is not set', () => {
    const raw = rawConfig();
    raw.client.base_url = '${SYNC_UNSET_VAR}';
    assertIssue(configError(raw), 'client.base_url', /refers to \$\{SYNC_UNSET_VAR\}, which is not set/);
  });

  it('reports an unset variable inside a longer value', () => {
    const raw = rawConfig();
    raw.resources[3].endpoint.params = { 'filter[users_id]': 'user-${SYNC_UNSET_USER}' };
    assertIssue(
      configError(raw),
      'resources[3].endpoint.params.filter[users_id]',
      /refers to \$\{SYNC_UNSET_USER\}, which is not set/,
    );
  });

  it('requires four-digit years in SYNC_YEARS', () => {
    const err = configError(rawConfig(), defaultVars({ SYNC_YEARS: '2024,abc' }));
    assertIssue(
      err,
      'resources[1].endpoint.partition_router.values',
      /^years must be four digits from 1970 to 2100 \(from SYNC_YEARS\)$/,
    );
  });

  it('rejects duplicate years', () => {
    const err = configError(rawConfig(), defaultVars({ SYNC_YEARS: '2024,2024' }));
    assertIssue(err, 'resources[1].endpoint.partition_router.values', /duplicates/);
  });

  it('rejects a SYNC_START_DATE that is not an ISO date', () => {
    const err = configError(rawConfig(), defaultVars({ SYNC_START_DATE: 'yesterday' }));
    const issue = assertIssue(
      err,
      'resources[3].endpoint.incremental_sync.start_datetime',
      /ISO date .*got the value of the setting \(from SYNC_START_DATE\)/,
    );
    assert.doesNotMatch(issue.problem, /yesterday/);
  });

  it('rejects an end_datetime before the start', () => {
    const raw = rawConfig();
    raw.resources[3].endpoint.incremental_sync.end_datetime = '2022-12-31';
    assertIssue(
      configError(raw),
      'resources[3].endpoint.incremental_sync.end_datetime',
      /before start_datetime/,
    );
  });

  it('rejects two resources with one name', () => {
    const raw = rawConfig();
    raw.resources[2].name = 'projects';
    assertIssue(configError(raw), 'resources', /"projects" is used twice/);
  });

  it('rejects columns without the primary key', () => {
    const raw = rawConfig();
    delete raw.resources[0].columns.id;
    assertIssue(
      configError(raw),
      'resources[0].primary_key',
      /"id" \(from resource_defaults\.primary_key\) has no column in resources\[0\]\.columns/,
    );
  });

  it('rejects a nullable primary key', () => {
    const raw = rawConfig();
    raw.resources[0].columns.id = 'int?';
    assertIssue(configError(raw), 'resources[0].columns.id', /primary key must be "int"/);
  });

  it('rejects a column type that is not a kind', () => {
    const raw = rawConfig();
    raw.resources[0].columns.customers_id = 'integer';
    assertIssue(
      configError(raw),
      'resources[0].columns.customers_id',
      /must be one of int, float.*got "integer"/,
    );
  });

  it('rejects a resource name with upper case', () => {
    const raw = rawConfig();
    raw.resources[0].name = 'Projects';
    assertIssue(configError(raw), 'resources[0].name', /lower-case.*"Projects"/);
  });

  it('rejects a base URL that is not http(s)', () => {
    const err = configError(rawConfig(), defaultVars({ CLOCKODO_BASE_URL: 'ftp://files.example.com/api' }));
    assertIssue(
      err,
      'client.base_url',
      /http\(s\) URL without user, password, query or fragment, got the value/,
    );
  });

  it('rejects an application header longer than 50 characters', () => {
    const app = 'x'.repeat(51);
    const err = configError(rawConfig(), defaultVars({ CLOCKODO_EXTERNAL_APP: app }));
    assertIssue(err, 'client.headers.X-Clockodo-External-Application', /at most 50 characters, got 51/);
    // Exactly 50 is fine.
    const ok = validateSourceConfig(rawConfig(), defaultVars({ CLOCKODO_EXTERNAL_APP: 'y'.repeat(50) }));
    assert.equal(ok.client.headers['X-Clockodo-External-Application'].length, 50);
  });

  it('rejects a negative max_retries', () => {
    const raw = rawConfig();
    raw.retry.max_retries = -1;
    assertIssue(configError(raw), 'retry.max_retries', /integer from 0 to 100, got -1/);
  });

  it('rejects a status listed both as retried and as fail-fast', () => {
    const raw = rawConfig();
    raw.retry.fail_fast_on_status = [400, 429];
    assertIssue(configError(raw), 'retry.fail_fast_on_status', /lists 429/);
  });

  it('rejects partition_router and incremental_sync on one resource', () => {
    const raw = rawConfig();
    raw.resources[3].endpoint.partition_router = raw.resources[1].endpoint.partition_router;
    assertIssue(configError(raw), 'resources[3].endpoint', /cannot be combined/);
  });

  it('reports several problems at once, in one ConfigError', () => {
    const raw = rawConfig();
    raw.resources[0].name = 'Projects';
    raw.resources[0].endpoint.paginator.limit = 0;
    raw.retry.max_retries = -1;
    raw.client.auth.password = 'literal';
    const err = configError(raw, defaultVars({ SYNC_YEARS: '24' }));
    // The three resources read per year (absences, nonbusiness_days, user_reports) each name the years.
    assert.deepEqual(err.issues.map((i) => i.field).sort(), [
      'client.auth.password',
      'resources[0].endpoint.paginator.limit',
      'resources[0].name',
      'resources[14].endpoint.partition_router.values',
      'resources[1].endpoint.partition_router.values',
      'resources[9].endpoint.partition_router.values',
      'retry.max_retries',
    ]);
    assert.equal(err.source, 'test.json');
    assert.match(err.message, /^Invalid source configuration \(test\.json\):\n {2}- /);
    assert.equal(err.message.split('\n').length, 1 + 7);
  });

  it('rejects a document that is not an object', () => {
    assertIssue(configError([]), '(root)', /must be an object/);
    assertIssue(configError({ client: rawConfig().client, resources: [] }), 'resources', /non-empty list/);
  });
});

describe('settings', () => {
  it('parses .env text: comments, quotes, export, spaces', () => {
    const text = [
      '# a comment',
      'PLAIN=value',
      '  SPACED = padded  ',
      'export EXPORTED=yes',
      'DOUBLE="with # hash"',
      "SINGLE='single quoted'",
      'INLINE=abc # trailing comment',
      'HASHED=abc#def',
      'EMPTY=',
      '   # indented comment=1',
      'not a line',
      'WINDOWS=crlf\r',
    ].join('\n');
    assert.deepEqual(parseDotEnv(text), {
      PLAIN: 'value',
      SPACED: 'padded',
      EXPORTED: 'yes',
      DOUBLE: 'with # hash',
      SINGLE: 'single quoted',
      INLINE: 'abc',
      HASHED: 'abc#def',
      EMPTY: '',
      WINDOWS: 'crlf',
    });
  });

  // The closing quote need not end the line: a comment may follow it.
  it('strips the quotes of a quoted value followed by a comment', () => {
    assert.deepEqual(parseDotEnv('KEY="value" # comment'), { KEY: 'value' });
  });

  describe('readEnv', () => {
    let dir: string;
    let file: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'settings-test-'));
      file = path.join(dir, '.env');
      writeFileSync(
        file,
        'CLOCKODO_EMAIL=file@example.com\nSYNC_YEARS=2020\nCLOCKODO_BASE_URL=http://file/api\n',
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('lets the environment beat .env, and .env fill in the rest', () => {
      const env = readEnv({ CLOCKODO_EMAIL: 'env@example.com' }, file);
      assert.equal(env.CLOCKODO_EMAIL, 'env@example.com');
      assert.equal(env.SYNC_YEARS, '2020');
      const vars = resolveVariables(env, NOW);
      assert.equal(vars.CLOCKODO_EMAIL, 'env@example.com');
      assert.equal(vars.SYNC_YEARS, '2020');
      // Not in either: the default.
      assert.equal(vars.CLICKHOUSE_DATABASE, 'clockodo');
    });

    it('reads nothing from a missing file', () => {
      const env = readEnv({ A: '1' }, path.join(dir, 'missing.env'));
      assert.deepEqual(env, { A: '1' });
    });

    // An empty value counts as unset, so it must not hide the .env value either (the built-in default
    // would win over the .env file).
    it('lets .env fill in a variable that is set but empty in the environment', () => {
      const vars = resolveVariables(readEnv({ CLOCKODO_BASE_URL: '' }, file), NOW);
      assert.equal(vars.CLOCKODO_BASE_URL, 'http://file/api');
    });
  });

  it('has defaults covering this year and the two before', () => {
    const d = defaultSettings(new Date('2026-01-01T00:00:00Z'));
    assert.equal(d.SYNC_YEARS, '2024,2025,2026');
    assert.equal(d.SYNC_START_DATE, '2024-01-01');
    // The year is the UTC year, whatever the local clock says.
    assert.equal(defaultSettings(new Date('2025-12-31T23:30:00-02:00')).SYNC_YEARS, '2024,2025,2026');
  });

  it('treats empty values as unset, except CLICKHOUSE_PASSWORD', () => {
    const vars = resolveVariables(
      { CLICKHOUSE_URL: '', CLICKHOUSE_PASSWORD: '', SYNC_YEARS: undefined },
      NOW,
    );
    assert.equal(vars.CLICKHOUSE_URL, 'http://127.0.0.1:8123');
    assert.equal(vars.SYNC_YEARS, '2023,2024,2025');
    assert.equal(vars.CLICKHOUSE_PASSWORD, '');
    assert.equal(resolveVariables({ CLICKHOUSE_PASSWORD: 'pw' }, NOW).CLICKHOUSE_PASSWORD, 'pw');
  });

  it('rejects a CLICKHOUSE_DATABASE that is not a plain identifier, naming it', () => {
    const vars = defaultVars({ CLICKHOUSE_DATABASE: 'my-db' });
    assert.throws(
      () => clickHouseSettings(vars),
      (e: unknown) => e instanceof SettingsError && /^CLICKHOUSE_DATABASE: .*"my-db"/.test(e.message),
    );
  });

  it('rejects a CLICKHOUSE_URL that is not a URL', () => {
    assert.throws(
      () => clickHouseSettings(defaultVars({ CLICKHOUSE_URL: 'not a url' })),
      (e: unknown) => e instanceof SettingsError && e.message.startsWith('CLICKHOUSE_URL: not a URL'),
    );
  });

  it('returns the ClickHouse settings from the variables', () => {
    assert.deepEqual(clickHouseSettings(defaultVars({ CLICKHOUSE_DATABASE: 'clockodo_test' })), {
      url: 'http://127.0.0.1:8123',
      user: 'default',
      password: '',
      database: 'clockodo_test',
    });
  });
});

describe('the configuration for the API as served today', () => {
  it('validates, with the v3/v4 routes, `data` selectors and a paged year partition', () => {
    const raw: unknown = JSON.parse(
      readFileSync(path.join(__dirname, '../../config/sources/clockodo-current.json'), 'utf8'),
    );
    const config = validateSourceConfig(raw, resolveVariables({}, NOW), 'clockodo-current.json');
    const byName = new Map(config.resources.map((r) => [r.name, r.endpoint]));
    assert.equal(byName.get('projects')?.path, '/v4/projects');
    assert.deepEqual(byName.get('customers')?.data_selector, ['data']);
    const absences = byName.get('absences');
    assert.equal(absences?.partition_router?.request_option.field_name, 'filter[year]');
    assert.equal(absences?.paginator?.limit, 1000);
    assert.equal(byName.get('entries')?.path, '/v2/entries');
  });
});

describe('incremental window field', () => {
  it('must name a datetime column, since deletions in a window are found by it', () => {
    const raw = JSON.parse(
      readFileSync(path.join(__dirname, '../../config/sources/clockodo-v2.json'), 'utf8'),
    ) as { resources: { endpoint: { incremental_sync?: { window_field?: string } } }[] };
    raw.resources[3].endpoint.incremental_sync!.window_field = 'text';
    assert.throws(
      () => validateSourceConfig(raw, resolveVariables({}, NOW)),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.issues.some(
          (i) =>
            i.field === 'resources[3].endpoint.incremental_sync.window_field' &&
            /datetime column/.test(i.problem),
        ),
    );
  });
});

describe('configuration features every Clockodo resource needs, as configuration only', () => {
  const vars = () => resolveVariables({}, NOW);
  /** A minimal valid configuration holding one resource built from `resource`. */
  const withResource = (resource: Record<string, unknown>): unknown => {
    const raw = rawConfig();
    raw.resources = [resource as unknown as RawResource];
    return raw;
  };
  const list = (endpoint: Record<string, unknown>, columns: Record<string, string>, extra = {}) => ({
    name: 'things',
    endpoint: { path: '/v2/things', data_selector: 'things', ...endpoint },
    columns,
    ...extra,
  });

  it('an unpaged list: no paginator, so no page parameters and one read', () => {
    const [r] = validateSourceConfig(
      withResource(list({}, { id: 'int', name: 'string?' })),
      vars(),
    ).resources;
    assert.equal(r.endpoint.paginator, undefined);
    assert.equal(r.endpoint.partition_router, undefined);
    assert.equal(r.endpoint.incremental_sync, undefined);
  });

  it('a composite primary key is hashed into _key; each of its fields must be a non-null column', () => {
    const ok = list(
      {},
      { users_id: 'int', date: 'date', offset: 'int?' },
      { primary_key: ['users_id', 'date'] },
    );
    const [r] = validateSourceConfig(withResource(ok), vars()).resources;
    assert.deepEqual(r.primary_key, ['users_id', 'date']);
    assert.equal(r.key_column, '_key');

    const nullable = list({}, { users_id: 'int', date: 'date?' }, { primary_key: ['users_id', 'date'] });
    assertIssue(configError(withResource(nullable)), 'resources[0].columns.date', /must not be nullable/);
    const missing = list({}, { users_id: 'int' }, { primary_key: ['users_id', 'day'] });
    assertIssue(configError(withResource(missing)), 'resources[0].primary_key', /"day" has no column/);
    const twice = list({}, { users_id: 'int' }, { primary_key: ['users_id', 'users_id'] });
    assertIssue(configError(withResource(twice)), 'resources[0].primary_key', /names a field twice/);
    const empty = list({}, { users_id: 'int' }, { primary_key: [] });
    assertIssue(configError(withResource(empty)), 'resources[0].primary_key', /non-empty list/);
    // A single key is the id itself: it must be an int.
    const text = list({}, { code: 'string' }, { primary_key: 'code' });
    assertIssue(configError(withResource(text)), 'resources[0].columns.code', /must be "int"/);
  });

  it('a year partition may fill a column the records lack (record_field), which must exist', () => {
    const router = (record_field: string) => ({
      partition_router: {
        type: 'list',
        values: ['2024', '2025'],
        cursor_field: 'year',
        request_option: { inject_into: 'request_parameter', field_name: 'year' },
        record_field,
      },
    });
    const cols = { users_id: 'int', year: 'int', sum_hours: 'float?' };
    const keyed = { primary_key: ['users_id', 'year'] };
    const [r] = validateSourceConfig(withResource(list(router('year'), cols, keyed)), vars()).resources;
    assert.equal(r.endpoint.partition_router?.record_field, 'year');
    assertIssue(
      configError(withResource(list(router('yr'), cols, keyed))),
      'resources[0].endpoint.partition_router.record_field',
      /"yr" has no column/,
    );
  });

  it('a year partition combined with paging reads each year page by page', () => {
    const raw = withResource(
      list(
        {
          partition_router: {
            type: 'list',
            values: '${SYNC_YEARS}',
            cursor_field: 'year',
            request_option: { inject_into: 'request_parameter', field_name: 'filter[year]' },
          },
          paginator: {
            type: 'page_number',
            page_param: 'page',
            stop_condition: 'response.paging.count_pages == response.paging.current_page',
          },
        },
        { id: 'int' },
      ),
    );
    const [r] = validateSourceConfig(raw, vars()).resources;
    assert.deepEqual(r.endpoint.partition_router?.values, ['2023', '2024', '2025']);
    assert.equal(r.endpoint.paginator?.limit, 1000);
  });

  it('a window of dates (type "date") needs a date column to scope deletions, and no cursor field', () => {
    const window = (type: string, window_field: string) => ({
      incremental_sync: {
        type,
        start_datetime: '2024-01-01',
        start_param: 'date_since',
        end_param: 'date_until',
        window_field,
        slice_days: 31,
      },
      paginator: {
        type: 'page_number',
        page_param: 'page',
        stop_condition: 'response.paging.count_pages == response.paging.current_page',
      },
    });
    const cols = { users_id: 'int', date: 'date', time_since: 'datetime?' };
    const keyed = { primary_key: ['users_id', 'date'] };
    const [r] = validateSourceConfig(
      withResource(list(window('date', 'date'), cols, keyed)),
      vars(),
    ).resources;
    assert.equal(r.endpoint.incremental_sync?.type, 'date');
    assert.equal(r.endpoint.incremental_sync?.cursor_field, undefined);
    assertIssue(
      configError(withResource(list(window('date', 'time_since'), cols, keyed))),
      'resources[0].endpoint.incremental_sync.window_field',
      /"time_since" must be a date column.*type is "date"/,
    );
    assertIssue(
      configError(withResource(list(window('datetime', 'date'), cols, keyed))),
      'resources[0].endpoint.incremental_sync.window_field',
      /"date" must be a datetime column/,
    );
    assertIssue(
      configError(withResource(list(window('weekly', 'date'), cols, keyed))),
      'resources[0].endpoint.incremental_sync.type',
      /must be one of "datetime", "date"/,
    );
  });

  it('both presets hold every resource, each read the way the API serves it', () => {
    for (const file of ['clockodo-v2.json', 'clockodo-current.json']) {
      const raw: unknown = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/sources', file), 'utf8'));
      const byName = new Map(validateSourceConfig(raw, vars(), file).resources.map((r) => [r.name, r]));
      const current = file === 'clockodo-current.json';
      // Today's API adds subprojects, nonbusiness groups, overtime reductions and work time change requests.
      assert.equal(byName.size, current ? 20 : 16, file);
      for (const name of ['services', 'lumpsum_services', 'users', 'teams']) {
        // Today's routes page their rows under `data`; v2 returns these lists whole.
        assert.equal(byName.get(name)?.endpoint.paginator !== undefined, current, `${file} ${name}`);
        assert.equal(byName.get(name)?.endpoint.data_selector[0] === 'data', current, `${file} ${name}`);
      }
      assert.equal(
        byName.get('nonbusiness_days')?.endpoint.partition_router?.request_option.field_name,
        'year',
      );
      assert.equal(byName.get('user_reports')?.endpoint.partition_router?.record_field, 'year');
      const workTimes = byName.get('work_times')?.endpoint;
      assert.equal(workTimes?.incremental_sync?.type, 'date');
      assert.equal(workTimes?.incremental_sync?.start_param, 'date_since');
      assert.deepEqual(workTimes?.data_selector, ['work_time_days']);
      // The docs: "This endpoint will yield valid data starting on Monday, August 21, 2023."
      assert.equal(workTimes?.incremental_sync?.min_datetime, '2023-08-21');
      assert.ok(workTimes?.paginator, `${file} work_times is paged`);
    }
  });
});

describe('the resources of docs/resources.md', () => {
  // One section per resource: "### `name`", then items "- label: text", a long text continued on
  // lines indented by two spaces (joined again with one space).
  const entriesOf = (text: string) => {
    const out = new Map<string, Map<string, string>>();
    let items: Map<string, string> | undefined;
    let label: string | undefined;
    for (const line of text.split('\n')) {
      const head = /^### `([a-z_]+)`$/.exec(line);
      const item = /^- ([a-z0-9 ]+): (.*)$/.exec(line);
      if (head) {
        items = new Map();
        out.set(head[1], items);
        label = undefined;
      } else if (items && item) {
        label = item[1];
        items.set(label, item[2]);
      } else if (items && label && /^ {2}\S/.test(line)) {
        items.set(label, `${items.get(label)} ${line.trim()}`);
      } else label = undefined;
    }
    return out;
  };
  const entries = entriesOf(readFileSync(path.join(PROJECT_ROOT, 'docs/resources.md'), 'utf8'));
  const cells = (labels: string[]) =>
    new Map([...entries].map(([name, items]) => [name, labels.map((l) => items.get(l) ?? '')] as const));
  // | v2 route | current route | read | key | sources |, and | columns in v2 | columns today |
  const rows = cells(['route in v2', 'route today', 'read', 'key', 'sources']);
  const columnRows = cells(['columns in v2', 'columns today']);
  const presets = Object.fromEntries(
    ['clockodo-v2.json', 'clockodo-current.json'].map((file) => {
      const raw: unknown = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/sources', file), 'utf8'));
      const resources = validateSourceConfig(raw, resolveVariables({}, NOW), file).resources;
      return [file, new Map(resources.map((r) => [r.name, r]))];
    }),
  );
  const v2 = presets['clockodo-v2.json'];
  const current = presets['clockodo-current.json'];

  /** How the page writes a route: `/path?param=` under `key` (or `other`), paged or whole. */
  function route(r: ResourceConfig | undefined): string {
    if (!r) return '—';
    const e = r.endpoint;
    const inc = e.incremental_sync;
    const params = inc
      ? `?${inc.start_param}=&${inc.end_param}=`
      : e.partition_router
        ? `?${e.partition_router.request_option.field_name}=`
        : '';
    const under = e.data_selector.map((k) => `\`${k}\``).join(' or ');
    return `\`${e.path}${params}\` under ${under}, ${e.paginator ? 'paged' : 'whole'}`;
  }

  /** How docs/resources.md writes the columns: `name type`, a nested object or list as one entry. */
  function columnsText(r: ResourceConfig | undefined): string {
    if (!r) return '—';
    const type = (c: ColumnSpec) => `${c.kind}${c.array ? '[]' : c.nullable ? '?' : ''}`;
    const parts: string[] = [];
    const nested = new Map<string, string[]>();
    for (const [name, c] of Object.entries(r.columns)) {
      if (!c.nested) parts.push(`\`${name}\` ${type(c)}`);
      else {
        let fields = nested.get(c.nested.parent);
        if (!fields) {
          fields = [];
          nested.set(c.nested.parent, fields);
          parts.push(`\u0000${c.nested.parent}`);
        }
        fields.push(`\`${name}\` ${type(c)}`);
      }
    }
    return parts
      .map((p) => {
        if (!p.startsWith('\u0000')) return p;
        const parent = p.slice(1);
        const via = Object.values(r.columns).find((c) => c.nested?.parent === parent)?.nested?.via;
        return `\`${parent}\` (${via}: ${nested.get(parent)!.join(', ')})`;
      })
      .join(', ');
  }

  it('has a row for every resource of both presets: its routes, how it is read, its key, its sources', () => {
    assert.deepEqual(
      [...rows.keys()],
      [...current.keys()],
      'the resources of clockodo-current.json, in its order',
    );
    assert.ok(
      [...v2.keys()].every((n) => current.has(n)),
      'every v2 resource is also read today',
    );
    for (const [name, now] of current) {
      const [v2Route, currentRoute, read, key, sources] = rows.get(name)!;
      const old = v2.get(name);
      assert.equal(v2Route, route(old), `${name}: its route in clockodo-v2.json`);
      assert.equal(
        currentRoute,
        old && route(old) === route(now) ? 'the same' : route(now),
        `${name}: today's route`,
      );
      const inc = now.endpoint.incremental_sync;
      const how = inc ? 'per window' : now.endpoint.partition_router ? 'per year' : 'in full';
      assert.ok(read.startsWith(how), `${name}: read ${how}, docs/resources.md says ${read}`);
      if (inc?.min_datetime) assert.ok(read.includes(`from ${inc.min_datetime}`), `${name}: ${read}`);
      const keyText = now.primary_key.map((k) => `\`${k}\``).join(', ');
      assert.equal(key, keyText, `${name}: key`);
      if (old) assert.deepEqual(old.primary_key, now.primary_key, `${name}: one key in both presets`);
      assert.match(sources, /SDK: `get[A-Za-z]+`/, `${name}: the SDK function that reads it`);
      if (old && name !== 'overtime_carry') assert.match(sources, /docs: \[/, `${name}: the docs page`);
    }
  });

  it('docs/resources.md lists every column of every resource, as each preset configures it', () => {
    assert.deepEqual([...columnRows.keys()], [...current.keys()]);
    for (const [name, now] of current) {
      const [inV2, today] = columnRows.get(name)!;
      const old = v2.get(name);
      assert.equal(inV2, columnsText(old), `${name}: columns in clockodo-v2.json`);
      const same = old && columnsText(old) === columnsText(now);
      assert.equal(today, same ? 'the same' : columnsText(now), `${name}: columns in clockodo-current.json`);
    }
  });
});
