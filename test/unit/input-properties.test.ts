// Properties over generated input (fast-check): whatever a source configuration, the settings or the
// command-line arguments say, checking them either accepts them or rejects them with an error of our
// own kind that names what it rejects, and no outcome (an error message, or the workflow input an
// accepted configuration becomes) holds a secret planted in the environment, plain or in Base64.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { secretForms } from '../secret-forms';
import { parseSyncArgs, syncInputFromSettings, UsageError } from '../../client/sync-request';
import { scheduleDefs } from '../../client/schedules';
import {
  clickHouseSettings,
  destinationOf,
  PROJECT_ROOT,
  resolveVariables,
  runOptions,
  SettingsError,
} from '../../config/settings';
import { temporalSettings } from '../../config/temporal-settings';
import { ConfigError, validateSourceConfig } from '../../config/validate-source-config';
import { workerCredentials } from '../../config/worker-credentials';
import { workerResources } from '../../config/worker-resources';

const NOW = new Date('2026-06-15T10:30:00Z');
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** Recognizable secrets, one per variable that holds one. */
const PLANTED: Record<string, string> = {
  CLOCKODO_API_KEY: 'PLANTED-api-key-4b1d9e',
  CLOCKODO_EMAIL: 'planted-user-77c2@example.com',
  CLICKHOUSE_PASSWORD: 'PLANTED-ch-pass-2f8a61',
  TEMPORAL_API_KEY: 'PLANTED-temporal-key-93e0c4',
  ACME_TOKEN: 'PLANTED-acme-token-5d7b20',
};
const SECRET_NAMES = Object.keys(PLANTED);

const FORMS = Object.values(PLANTED).flatMap(secretForms);

function assertNoSecret(text: string, where: string): void {
  for (const form of FORMS) assert.ok(!text.includes(form), `${where} holds a planted secret:\n${text}`);
}

/** Our own errors, each naming what it rejects; anything else is a defect (a crash, a stack trace). */
function assertOwnError(e: unknown): asserts e is Error {
  assert.ok(
    e instanceof ConfigError || e instanceof SettingsError || e instanceof UsageError,
    `not an error of ours: ${e instanceof Error ? e.stack : String(e)}`,
  );
  assertNoSecret(e.message, 'the message');
  assert.ok(!/\n\s+at /.test(e.message), `a stack trace in the message: ${e.message}`);
}

const baseEnv = () => ({ ...PLANTED, WORKER_SECRET_NAMES: 'ACME_TOKEN' });

// What generated text is made of: plain words, references to secrets and to settings, URL and path
// tricks, numbers at and past the bounds, and whatever else fast-check thinks of.
const referenceName = fc.oneof(
  fc.constantFrom(...SECRET_NAMES),
  fc.constantFrom('SYNC_YEARS', 'SYNC_START_DATE', 'CLOCKODO_BASE_URL', 'CLOCKODO_EXTERNAL_APP', 'HOME'),
  fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/),
);
const tricky = fc.oneof(
  fc.string({ maxLength: 30 }),
  referenceName.map((n) => `\${${n}}`),
  fc.tuple(fc.string({ maxLength: 8 }), referenceName).map(([a, n]) => `${a}\${${n}}`),
  fc.constantFrom(
    '.evil.example/steal',
    '@evil.example/x',
    '/../../admin',
    '/v2/%2e%2e/x',
    '//evil.example',
    'http://u:PLANTED@evil.example/api',
    'https://api.example.com/api',
    'sync_runs',
    'projects_current',
    'a__rebuild_1',
    'x'.repeat(80),
    '2026-02-30',
    '1800-01-01',
    'recent:0',
    'recent:51',
    'now',
    '',
  ),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  tricky,
  fc.integer({ min: -10, max: 20_000 }),
  fc.constantFrom(1e9, 3_000_000, -1, 0, 0.5, 3600, 3601, 10_000, 10_001, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.array(tricky, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), tricky, { maxKeys: 2 }),
);

/** Every path to a value inside a JSON document. */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...entries.flatMap(([k, v]) => pathsOf(v, [...at, k]))];
}

function setAt(doc: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = (Array.isArray(doc) ? [...(doc as unknown[])] : { ...(doc as object) }) as Record<
    string | number,
    unknown
  >;
  copy[at[0]] = setAt(copy[at[0]], at.slice(1), value);
  return copy;
}

/** How the validator names a path: `resources[2].endpoint.path`. */
const fieldOf = (at: (string | number)[]) =>
  at.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

for (const preset of ['clockodo-v2.json', 'clockodo-current.json']) {
  const raw = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/sources', preset), 'utf8')) as unknown;
  const paths = pathsOf(raw).filter((p) => p.length > 0 && !p.includes('$comment'));

  describe(`generated source configurations (${preset})`, () => {
    it('are accepted holding no secret, or rejected naming the field, never repeating a secret', () => {
      const vars = resolveVariables(baseEnv(), NOW);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...paths), anyValue), { minLength: 1, maxLength: 3 }),
          (changes) => {
            const config = changes.reduce((doc, [at, value]) => setAt(doc, at, value), raw);
            let accepted;
            try {
              accepted = validateSourceConfig(config, vars, preset);
            } catch (e) {
              assertOwnError(e);
              assert.ok(e instanceof ConfigError, String(e));
              // Some change is named: its field, a field inside it, or the object that holds it.
              const named = changes.some(([at]) => {
                const field = fieldOf(at);
                return e.issues.some(
                  (i) =>
                    i.field === field ||
                    i.problem.includes(field) ||
                    i.field.startsWith(`${field}.`) ||
                    i.field.startsWith(`${field}[`) ||
                    field.startsWith(`${i.field}.`) ||
                    field.startsWith(`${i.field}[`) ||
                    i.field === '(root)' ||
                    i.field === 'resources',
                );
              });
              assert.ok(
                named,
                `no issue names ${changes.map(([at]) => fieldOf(at)).join(', ')}: ${e.message}`,
              );
              return;
            }
            // What an accepted configuration becomes is the workflow's input: no secret in it, and
            // only client.auth keeps references.
            const input = JSON.stringify({ ...accepted, client: { ...accepted.client, auth: {} } });
            assertNoSecret(input, 'the accepted configuration');
            assert.ok(!/\$\{[A-Za-z_]\w*\}/.test(input), `an unresolved reference: ${input}`);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
}

/** Settings a deployment sets, with generated values. */
const SETTINGS = [
  'CLOCKODO_BASE_URL',
  'WORKER_API_BASE_URLS',
  'WORKER_SECRET_NAMES',
  'CLOCKODO_EXTERNAL_APP',
  'SYNC_YEARS',
  'SYNC_START_DATE',
  'SYNC_LOOKBACK_DAYS',
  'SYNC_HORIZON_DAYS',
  'SYNC_CURSOR_MARGIN_HOURS',
  'SYNC_MAX_DELETE_SHARE',
  'SYNC_SECOND_CHANCE_SECONDS',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_DATABASE',
  'CLICKHOUSE_CLUSTER',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TLS',
  'WORKER_MAX_CACHED_WORKFLOWS',
  'WORKER_MAX_HEAP_MB',
  'WORKER_SEMI_SPACE_MB',
  'WORKER_ACTIVITY_SLOTS',
  'WORKER_WORKFLOW_TASK_SLOTS',
  'MALLOC_ARENA_MAX',
  'WORKER_METRICS_ADDRESS',
  'SCHEDULE_INCREMENTAL',
  'SCHEDULE_RECONCILE',
  'SCHEDULE_CATCHUP_WINDOW',
  'SCHEDULE_LOCK_WAIT',
  'SCHEDULE_ID_PREFIX',
];
const URL_SETTINGS = ['CLOCKODO_BASE_URL', 'WORKER_API_BASE_URLS', 'CLICKHOUSE_URL'];
const settingValue = fc.oneof(
  anyValue.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
  fc.constantFrom(
    'recent:999999999',
    'recent:100000',
    '2024,2025',
    '1969,2025',
    '2101',
    'abc',
    '-5',
    '127.0.0.1',
    'localhost:99999',
    'every 0m',
    '61 * * * *',
    '0 3 * * *',
  ),
);
/** URLs may hold credentials, and are never shown with them. */
const urlValue = fc.oneof(
  settingValue,
  fc.constantFrom(
    `http://default:${PLANTED.CLICKHOUSE_PASSWORD}@127.0.0.1:8123`,
    `https://${PLANTED.CLOCKODO_EMAIL}:${PLANTED.CLOCKODO_API_KEY}@api.example.com/api`,
    `https://api.example.com/api?key=${PLANTED.CLOCKODO_API_KEY}`,
    `${PLANTED.CLICKHOUSE_PASSWORD}`,
  ),
);
const givenSettings = fc
  .uniqueArray(fc.constantFrom(...SETTINGS), { maxLength: 4 })
  .chain((names) =>
    fc
      .tuple(...names.map((n) => (URL_SETTINGS.includes(n) ? urlValue : settingValue)))
      .map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))),
  );

describe('generated settings', () => {
  it('are taken, or refused by an error that names the setting and never a secret', () => {
    fc.assert(
      fc.property(givenSettings, (given: Record<string, string>) => {
        const env = { ...baseEnv(), ...given };
        // Whether each result goes out (into a request, a schedule, the output): those hold no secret.
        const checks: [string, (vars: Record<string, string>) => unknown, boolean][] = [
          ['clickhouse', clickHouseSettings, false],
          ['destination', destinationOf, true],
          ['run options', (v) => runOptions(v), true],
          [
            'worker resources',
            (v) => workerResources(v, { cores: 2, memoryMb: 4096, memoryFrom: 'machine' }),
            true,
          ],
          ['temporal', temporalSettings, false],
          ['worker credentials', workerCredentials, false],
          ['schedules', scheduleDefs, true],
          ['sync input', (v) => syncInputFromSettings(v, parseSyncArgs([])), true],
        ];
        let vars: Record<string, string>;
        try {
          vars = resolveVariables(env, NOW);
        } catch (e) {
          assertOwnError(e);
          assert.ok(
            Object.keys(given).some((k) => e.message.includes(k)),
            e.message,
          );
          return;
        }
        for (const [what, check, goesOut] of checks) {
          let result: unknown;
          try {
            result = check(vars);
          } catch (e) {
            assertOwnError(e);
            // The setting it refuses is named (a configuration error names the setting it came from).
            const named = [...Object.keys(given), 'SOURCE_CONFIG', 'WORKER_SECRET_NAMES'].some((k) =>
              e.message.includes(k),
            );
            assert.ok(named, `${what}: names none of ${Object.keys(given).join(', ')}: ${e.message}`);
            continue;
          }
          if (goesOut) assertNoSecret(JSON.stringify(result) ?? '', what);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('generated command-line arguments', () => {
  const arg = fc.oneof(
    fc.constantFrom(
      '--resources',
      '--reconcile',
      '--full-refresh',
      '--allow-mass-delete',
      '--no-wait',
      '--help',
      'status',
    ),
    fc.constantFrom('--resources=projects,entries', '--resources=', '--resources=nope', '--frobnicate', '-x'),
    fc.string({ maxLength: 12 }),
  );
  it('parse, or are refused by a UsageError naming the argument', () => {
    const vars = resolveVariables(baseEnv(), NOW);
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 5 }), (argv) => {
        try {
          syncInputFromSettings(vars, parseSyncArgs(argv));
        } catch (e) {
          assertOwnError(e);
          assert.ok(e instanceof UsageError, String(e));
          assert.match(e.message, /--|argument|resources/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
