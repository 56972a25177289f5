// Properties of the commands as processes, over generated settings, arguments and source
// configurations (fast-check), with recognizable secrets planted in their environment: each command
// exits with a code of the README's table, never crashes or prints a stack trace, never prints a
// planted secret (plain or Base64), and when it refuses its input it names what it refuses.
// The commands run compiled (dist/, as `npm run worker` runs), against the services of
// `npm run services:start`: start-sync with --check (it then connects to nothing), report against
// ClickHouse, schedule against Temporal in the test namespace.
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';
import fc from 'fast-check';
import { secretForms } from '../secret-forms';
import { Client, Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../config/settings';

const RUNS = Number(process.env.PROPERTY_RUNS_PROCESS ?? 20);
const NAMESPACE = 'clockodo-e2e';
const tag = randomBytes(3).toString('hex');

const PLANTED: Record<string, string> = {
  CLOCKODO_API_KEY: `PLANTED-api-key-${tag}-4b1d9e`,
  CLICKHOUSE_PASSWORD: `PLANTED-ch-pass-${tag}-2f8a61`,
  TEMPORAL_API_KEY: `PLANTED-temporal-key-${tag}-93e0c4`,
  ACME_TOKEN: `PLANTED-acme-token-${tag}-5d7b20`,
};
const FORMS = Object.values(PLANTED).flatMap(secretForms);

interface Ran {
  code: number | null;
  output: string;
}

let home = '';
/** A compiled command with only these settings (HOME of its own: no Temporal config file of the user's). */
function run(command: string, args: string[], settings: Record<string, string>): Ran {
  const result = spawnSync(
    process.execPath,
    [path.join(PROJECT_ROOT, 'dist/client', `${command}.js`), ...args],
    {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ...PLANTED,
        WORKER_SECRET_NAMES: 'ACME_TOKEN',
        TEMPORAL_NAMESPACE: NAMESPACE,
        SCHEDULE_ID_PREFIX: `prop-${tag}`,
        ...settings,
      },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** What every run must hold to. */
function assertWellBehaved(ran: Ran, codes: number[], what: string, named: string[]): void {
  const context = `${what}\n--- output:\n${ran.output}`;
  assert.ok(
    ran.code !== null && codes.includes(ran.code),
    `exit ${ran.code}, not one of ${codes.join(', ')}: ${context}`,
  );
  assert.ok(!/^\s+at .+:\d+:\d+\)?$/m.test(ran.output), `a stack trace: ${context}`);
  for (const form of FORMS) assert.ok(!ran.output.includes(form), `a planted secret: ${context}`);
  if (ran.code === 2) {
    assert.ok(ran.output.trim() !== '', `exit 2 without a word: ${context}`);
    assert.ok(
      named.some((n) => n !== '' && ran.output.includes(n)),
      `the refusal names none of ${named.join(', ')}: ${context}`,
    );
  }
}

const word = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '${CLOCKODO_API_KEY}',
    '${SYNC_YEARS}',
    '-5',
    '0',
    '1e9',
    'abc',
    '',
    'recent:0',
    'recent:999999999',
  ),
);
const SETTING_VALUES: Record<string, fc.Arbitrary<string>> = {
  SYNC_YEARS: fc.constantFrom(
    '2024,2025',
    'recent:3',
    'recent:0',
    'recent:999999999',
    '1800',
    '2024,2024',
    'x',
  ),
  SYNC_START_DATE: fc.constantFrom('2024-01-01', '2026-02-30', '1800-01-01', 'yesterday'),
  SYNC_LOOKBACK_DAYS: fc.constantFrom('31', '-1', '1e9', 'abc'),
  CLICKHOUSE_URL: fc.constantFrom(
    'http://127.0.0.1:8123',
    `http://default:${PLANTED.CLICKHOUSE_PASSWORD}@127.0.0.1:8123`,
    PLANTED.CLICKHOUSE_PASSWORD,
    'ftp://127.0.0.1:8123',
  ),
  CLICKHOUSE_DATABASE: fc.constantFrom(`prop_${tag}`, 'bad-name', ''),
  TEMPORAL_ADDRESS: fc.constantFrom('127.0.0.1:7233', '127.0.0.1', 'localhost:99999', 'a b:1'),
  TEMPORAL_CONFIG_FILE: fc.constantFrom('/nonexistent/temporal.toml', '__MALFORMED__'),
  SCHEDULE_INCREMENTAL: fc.constantFrom('every 15m', 'every 0m', '61 * * * *', '*/5 * * * *', 'sometimes'),
  SCHEDULE_RECONCILE: fc.constantFrom('0 3 * * *', '0 24 * * *', '0 3 31 2 *'),
  SCHEDULE_CATCHUP_WINDOW: fc.constantFrom('1h', '0s', '9999d'),
  CLOCKODO_BASE_URL: fc.constantFrom(
    'http://127.0.0.1:8787/api',
    `https://me:${PLANTED.CLOCKODO_API_KEY}@api.example.com/api`,
    PLANTED.CLOCKODO_API_KEY,
  ),
  // The local server's user has no password: an empty one reaches it, the planted one is refused.
  CLICKHOUSE_PASSWORD: fc.constantFrom('', PLANTED.CLICKHOUSE_PASSWORD),
  SOURCE_CONFIG: fc.constantFrom('config/sources/clockodo-current.json', '__MUTATED__', 'nope.json'),
};
const settings = fc
  .uniqueArray(fc.constantFrom(...Object.keys(SETTING_VALUES)), { maxLength: 3 })
  .chain((names) =>
    fc
      .tuple(...names.map((n) => SETTING_VALUES[n]))
      .map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))),
  );
/** A change to the preset: a field set to a generated value. */
const configChange = fc.tuple(
  fc.constantFrom(
    ['client', 'base_url'],
    ['client', 'headers', 'X-Leak'],
    ['client', 'request_timeout_seconds'],
    ['resources', 0, 'name'],
    ['resources', 0, 'endpoint', 'path'],
    ['resources', 3, 'endpoint', 'params', 'q'],
    ['resources', 0, 'endpoint', 'paginator', 'limit'],
  ),
  fc.oneof(
    word,
    fc.constantFrom(3_000_000, 1e9, '.evil.example/x', '/../admin', 'sync_runs', '${CLICKHOUSE_PASSWORD}'),
  ),
);

describe('the commands, over generated input with planted secrets', function () {
  this.timeout(600_000);
  let dir = '';
  const preset = JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
  ) as Record<string, unknown>;

  before(() => {
    // The compiled commands, brought up to date (a no-op when `npm test` built them just now).
    execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts/build.sh')], {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
    });
    dir = mkdtempSync(path.join(tmpdir(), 'cli-properties-'));
    home = path.join(dir, 'home');
    writeFileSync(
      path.join(dir, 'malformed.toml'),
      `[profile.default]\napi_key = "${PLANTED.TEMPORAL_API_KEY}"\naddress = = x\n`,
    );
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    // Schedules a generated `apply` made.
    const connection = await Connection.connect({ address: '127.0.0.1:7233' });
    const client = new Client({ connection, namespace: NAMESPACE });
    for await (const s of client.schedule.list())
      if (s.scheduleId.startsWith(`prop-${tag}`)) await client.schedule.getHandle(s.scheduleId).delete();
    await connection.close();
  });

  /** Generated settings with their placeholders made real: a mutated configuration, a malformed file. */
  function materialize(given: Record<string, string>, changes: [readonly (string | number)[], unknown][]) {
    const out = { ...given };
    if (out.TEMPORAL_CONFIG_FILE === '__MALFORMED__')
      out.TEMPORAL_CONFIG_FILE = path.join(dir, 'malformed.toml');
    if (out.SOURCE_CONFIG === '__MUTATED__') {
      const config = structuredClone(preset);
      for (const [at, value] of changes) {
        let node = config as Record<string | number, unknown>;
        for (const key of at.slice(0, -1)) node = (node[key] ??= {}) as Record<string | number, unknown>;
        node[at[at.length - 1]] = value;
      }
      out.SOURCE_CONFIG = path.join(dir, `config-${randomBytes(4).toString('hex')}.json`);
      writeFileSync(out.SOURCE_CONFIG, JSON.stringify(config));
    }
    return out;
  }
  const namesOf = (given: Record<string, string>, extra: string[]) => [
    ...Object.keys(given),
    ...Object.keys(PLANTED),
    ...extra,
    'Invalid source configuration',
    'Usage',
    'unknown',
  ];

  it('start-sync --check: exit 0 or 2, no stack, no secret, a refusal names its input', () => {
    const flag = fc.constantFrom(
      '--resources',
      '--resources=projects',
      '--reconcile',
      '--full-refresh',
      '--allow-mass-delete',
      '--no-wait',
      '--frobnicate',
    );
    fc.assert(
      fc.property(
        settings,
        fc.array(configChange, { maxLength: 2 }),
        fc.array(fc.oneof(flag, word), { maxLength: 3 }),
        (given, changes, args) => {
          const env = materialize(given, changes);
          const argv = [...args, '--check'];
          const ran = run('start-sync', argv, env);
          assertWellBehaved(
            ran,
            [0, 2],
            `start-sync ${JSON.stringify(argv)} ${JSON.stringify(env)}`,
            namesOf(given, [...args.map((a) => a.slice(0, 8)), '--resources', 'client.', 'resources[']),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('report: exit 0, 2 or 3, no stack, no secret, a refusal names its input', () => {
    fc.assert(
      fc.property(settings, fc.array(configChange, { maxLength: 2 }), (given, changes) => {
        const env = materialize(given, changes);
        const ran = run('report', [], env);
        assertWellBehaved(
          ran,
          [0, 2, 3],
          `report ${JSON.stringify(env)}`,
          namesOf(given, ['client.', 'resources[']),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('schedule: exit 0, 2, 3 or 4 (no such schedule), no stack, no secret, a refusal names its input', () => {
    const command = fc.oneof(
      fc.constantFrom(
        ['list'],
        ['describe', 'nope'],
        ['pause', 'nope', '--note', 'x'],
        ['unpause'],
        ['delete', 'nope'],
        ['frobnicate'],
        [],
        ['apply'],
        ['apply', '--extra'],
        ['--help'],
      ),
      fc.array(word, { maxLength: 3 }),
    );
    fc.assert(
      fc.property(settings, command, (given, argv) => {
        const env = materialize(given, []);
        const ran = run('schedule', [...argv], env);
        assertWellBehaved(
          ran,
          [0, 2, 3, 4],
          `schedule ${JSON.stringify(argv)} ${JSON.stringify(env)}`,
          namesOf(given, [...argv.map((a) => a.slice(0, 8)), 'command', 'schedule id', 'SCHEDULE_']),
        );
      }),
      { numRuns: RUNS },
    );
  });
});
