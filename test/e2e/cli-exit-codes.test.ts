// The commands as a user runs them, each a process of its own: every kind of failure exits with the
// code of client/exit-codes.ts, with a message naming the setting, never a stack trace and never a
// secret; bad input is refused before anything connects. Temporal and ClickHouse are the services
// `npm run services:start` runs (schedules go to the `clockodo-e2e` namespace).
import { strict as assert } from 'assert';
import { execFile, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { PROJECT_ROOT, readEnv, resolveVariables } from '../../config/settings';
import { temporalSettings } from '../../config/temporal-settings';
import { freePort } from './clickhouse-cluster';

const NAMESPACE = 'clockodo-e2e';
const SECRET = `S3cret-${randomBytes(6).toString('hex')}`;
/** Node's way of printing an error it was not told how to print. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

interface Ran {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** Settings of the environment that would change what these tests mean. */
const UNSET = [
  'WORKER_MAX_HEAP_MB',
  'WORKER_SEMI_SPACE_MB',
  'MALLOC_ARENA_MAX',
  'WORKER_NODE_FLAGS',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
];

/** A command (`bash scripts/x.sh`, or a TypeScript entry as its npm script runs it) with these settings. */
function run(command: string[], env: Record<string, string>, cwd = PROJECT_ROOT): Promise<Ran> {
  const [file, ...args] = command[0].endsWith('.ts')
    ? [process.execPath, '-r', 'ts-node/register/transpile-only', ...command]
    : command;
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of UNSET) delete base[name];
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, out, err) =>
        resolve({
          code: error ? ((error.code as number | undefined) ?? null) : 0,
          out,
          err,
          ms: Date.now() - started,
        }),
    );
  });
}

/** Asserts the exit code, and that the output matches `pattern`, has no stack trace and no secret. */
function assertRan(r: Ran, code: number, pattern: RegExp, ...secrets: string[]) {
  const text = r.out + r.err;
  assert.equal(r.code, code, text);
  assert.match(text, pattern);
  assert.doesNotMatch(text, STACK_LINE, 'a stack trace');
  for (const secret of [SECRET, ...secrets]) assert.ok(!text.includes(secret), `printed ${secret}: ${text}`);
}

describe('command-line exit codes and messages', function () {
  this.timeout(180_000);
  let closed: number;
  let dir: string;
  let client: Client;
  let connection: Connection;
  const prefix = `e2e-cli-${randomBytes(4).toString('hex')}`;
  const ids = [`${prefix}-incremental`, `${prefix}-reconcile`];
  // Nothing fires by itself while the test runs.
  const scheduleEnv = {
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: prefix,
    SCHEDULE_ID_PREFIX: prefix,
    SCHEDULE_INCREMENTAL: 'every 1h',
    SCHEDULE_RECONCILE: '0 3 1 1 *',
  };

  before(async () => {
    closed = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), 'cli-exit-codes-'));
    const temporal = temporalSettings({ ...resolveVariables(readEnv()), TEMPORAL_NAMESPACE: NAMESPACE });
    connection = await Connection.connect(temporal.connection);
    client = new Client({ connection, namespace: NAMESPACE });
  });
  after(async () => {
    for (const id of ids)
      await client?.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await connection?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const gone = async (id: string) =>
    assert.rejects(client.schedule.getHandle(id).describe(), ScheduleNotFoundError, `${id} exists`);

  describe('schedule', () => {
    it('a bad command, a missing id or an unknown flag exits 2 at once, without connecting', async () => {
      // Temporal here would not answer: trying to connect would take 5 s and exit 3.
      const env = { TEMPORAL_ADDRESS: `127.0.0.1:${closed}` };
      const frob = await run(['client/schedule.ts', 'frobnicate'], env);
      assertRan(frob, 2, /^unknown command "frobnicate"\nUsage: npm run schedule/);
      assert.ok(frob.ms < 5000, `took ${frob.ms} ms`);
      assertRan(await run(['client/schedule.ts', 'describe'], env), 2, /describe needs a schedule id/);
      assertRan(
        await run(['client/schedule.ts', 'list', '--all'], env),
        2,
        /list: unexpected argument "--all"/,
      );
      assertRan(await run(['client/schedule.ts', 'help'], env), 0, /^Usage: npm run schedule/);
    });

    it('apply with a cron field out of range exits 2 naming the setting, and creates neither schedule', async () => {
      const r = await run(['client/schedule.ts', 'apply'], {
        ...scheduleEnv,
        SCHEDULE_RECONCILE: '0 24 * * *',
      });
      assertRan(r, 2, /^SCHEDULE_RECONCILE: hour "24" is not in 0-23/);
      for (const id of ids) await gone(id);
      const lock = await run(['client/schedule.ts', 'apply'], { ...scheduleEnv, SCHEDULE_LOCK_WAIT: '30d' });
      assertRan(lock, 2, /^SCHEDULE_LOCK_WAIT: must be from 0s to 7d/);
      for (const id of ids) await gone(id);
    });

    it('apply creates both, delete removes them, describe of a missing one exits 4', async () => {
      assertRan(
        await run(['client/schedule.ts', 'apply'], scheduleEnv),
        0,
        new RegExp(`created ${ids[0]}\ncreated ${ids[1]}`),
      );
      for (const id of ids)
        assertRan(await run(['client/schedule.ts', 'delete', id], scheduleEnv), 0, /deleted/);
      const r = await run(['client/schedule.ts', 'describe', ids[0]], scheduleEnv);
      assertRan(r, 4, new RegExp(`no schedule "${ids[0]}" in namespace ${NAMESPACE}`));
    });
  });

  describe('report and status', () => {
    it('report with a bad configuration exits 2, as start-sync does', async () => {
      const config = { SOURCE_CONFIG: path.join(dir, 'missing.json') };
      assertRan(await run(['client/report.ts'], config), 2, /Invalid source configuration/);
      assertRan(await run(['client/start-sync.ts', '--check'], config), 2, /Invalid source configuration/);
      assertRan(
        await run(['client/report.ts'], { CLICKHOUSE_DATABASE: 'my-db' }),
        2,
        /^CLICKHOUSE_DATABASE: /,
      );
    });

    it('report with ClickHouse unreachable exits 3, naming CLICKHOUSE_URL without its password', async () => {
      const r = await run(['client/report.ts'], {
        CLICKHOUSE_URL: `http://sync:${SECRET}@127.0.0.1:${closed}`,
      });
      assertRan(
        r,
        3,
        new RegExp(
          `cannot reach ClickHouse at http://127\\.0\\.0\\.1:${closed} \\(credentials not shown\\) \\(CLICKHOUSE_URL\\): ECONNREFUSED`,
        ),
      );
    });

    it('status shows CLICKHOUSE_URL without its credentials, and never prints a password in it', async () => {
      const env = { TEMPORAL_NAMESPACE: NAMESPACE };
      // The shared server's `default` has no password: one in the URL is refused, and not repeated.
      const refused = await run(['client/start-sync.ts', 'status'], {
        ...env,
        CLICKHOUSE_URL: `http://default:${SECRET}@127.0.0.1:8123`,
      });
      assertRan(
        refused,
        2,
        /^CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD: ClickHouse at 127\.0\.0\.1:8123 refused user default/m,
      );
      const ok = await run(['client/start-sync.ts', 'status'], {
        ...env,
        CLICKHOUSE_URL: 'http://default:@127.0.0.1:8123',
      });
      assertRan(
        ok,
        0,
        /^Recent runs into http:\/\/127\.0\.0\.1:8123 \(credentials not shown\) database clockodo:/m,
        'default:@',
      );
      assertRan(
        await run(['client/start-sync.ts', 'status'], { ...env, CLICKHOUSE_URL: `ftp://u:${SECRET}@h` }),
        2,
        /^CLICKHOUSE_URL: not a URL starting with http:\/\/ or https:\/\//,
      );
    });
  });

  describe('Temporal settings', () => {
    it('a bad TEMPORAL_ADDRESS exits 2 naming it, also for the worker, and a URL in it loses its credentials', async () => {
      const pattern = /^TEMPORAL_ADDRESS: must be host:port/;
      assertRan(await run(['client/start-sync.ts'], { TEMPORAL_ADDRESS: 'localhost' }), 2, pattern);
      assertRan(await run(['client/schedule.ts', 'list'], { TEMPORAL_ADDRESS: 'h:99999' }), 2, pattern);
      assertRan(await run(['client/temporal-setup.ts'], { TEMPORAL_ADDRESS: ':7233' }), 2, pattern);
      assertRan(await run(['worker/main.ts'], { TEMPORAL_ADDRESS: 'h:0' }), 2, pattern);
      const url = await run(['client/start-sync.ts'], {
        TEMPORAL_ADDRESS: `https://u:${SECRET}@acme.tmprl.cloud:7233`,
      });
      assertRan(url, 2, /got a URL: https:\/\/acme\.tmprl\.cloud:7233 \(credentials not shown\)/);
    });

    it('a malformed TEMPORAL_CONFIG_FILE exits 2 with a line number, never its api_key line', async () => {
      const file = path.join(dir, 'temporal.toml');
      writeFileSync(file, `[profile.default]\naddress = "127.0.0.1:7233"\napi_key = ${SECRET}\n`);
      for (const command of [
        ['client/start-sync.ts'],
        ['client/schedule.ts', 'list'],
        ['client/temporal-setup.ts'],
      ])
        assertRan(
          await run(command, { TEMPORAL_CONFIG_FILE: file }),
          2,
          /^TEMPORAL_CONFIG_FILE: .*temporal\.toml is not valid TOML \(line 3, column \d+\)$/m,
        );
    });

    it('a TEMPORAL_CONFIG_FILE that does not exist, or a profile not in it, exits 2', async () => {
      const missing = path.join(dir, 'absent.toml');
      assertRan(
        await run(['client/start-sync.ts'], { TEMPORAL_CONFIG_FILE: missing }),
        2,
        /^TEMPORAL_CONFIG_FILE: no file .*absent\.toml$/m,
      );
      const file = path.join(dir, 'profiles.toml');
      writeFileSync(file, `[profile.prod]\naddress = "127.0.0.1:7233"\napi_key = "${SECRET}"\n`);
      assertRan(
        await run(['client/schedule.ts', 'list'], {
          TEMPORAL_CONFIG_FILE: file,
          TEMPORAL_PROFILE: 'staging',
        }),
        2,
        /^TEMPORAL_PROFILE: no profile "staging" in .*profiles\.toml$/m,
      );
    });
  });

  describe('start-sync --check', () => {
    it('checks everything and says what would start, without connecting to Temporal', async () => {
      const r = await run(
        ['client/start-sync.ts', '--check', '--reconcile', '--resources', 'projects,entries'],
        {
          TEMPORAL_ADDRESS: `127.0.0.1:${closed}`,
          CLICKHOUSE_URL: `http://u:${SECRET}@ch.example.com:8123/?token=${SECRET}`,
        },
      );
      assertRan(r, 0, /^check: ok \(nothing started\)/);
      assert.match(r.out, /kind: reconcile\n {2}resources: projects, entries\n/);
      assert.match(
        r.out,
        /into: ClickHouse http:\/\/ch\.example\.com:8123 \(credentials and query not shown\) database clockodo \(ch\.example\.com:8123\/clockodo\)/,
      );
      assert.match(r.out, new RegExp(`through: Temporal at 127\\.0\\.0\\.1:${closed} \\(plaintext\\)`));
      const bad = await run(['client/start-sync.ts', '--check'], { SYNC_YEARS: 'recent:999999999' });
      assertRan(bad, 2, /^SYNC_YEARS: recent:N takes a whole number N from 1 to 50/);
      assertRan(
        await run(['client/start-sync.ts', '--check'], { SYNC_START_DATE: '2026-02-30' }),
        2,
        /^SYNC_START_DATE: no such day/,
      );
    });
  });

  describe('npm run worker (scripts/worker.sh)', () => {
    before(function () {
      this.timeout(300_000);
      // As `npm test` does before the tests: the worker runs compiled.
      const built = spawnSync('bash', ['scripts/build.sh'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      assert.equal(built.status, 0, built.stderr);
    });

    it('WORKER_MAX_HEAP_MB that is not a number from 64 to 65536 exits 2 naming it', async () => {
      for (const value of ['abc', '-5'])
        assertRan(
          await run(['bash', 'scripts/worker.sh'], { WORKER_MAX_HEAP_MB: value }),
          2,
          new RegExp(`^WORKER_MAX_HEAP_MB: must be a whole number from 64 to 65536, got "${value}"$`, 'm'),
        );
    });

    it('a limit of config/worker-resources.ts or MALLOC_ARENA_MAX out of bounds exits 2 naming it', async () => {
      for (const [name, value, bounds] of [
        ['WORKER_SEMI_SPACE_MB', '0', '1 to 256'],
        ['MALLOC_ARENA_MAX', 'two', '0 to 1024'],
      ])
        assertRan(
          await run(['bash', 'scripts/worker.sh'], { [name]: value }),
          2,
          new RegExp(`^${name}: must be a whole number from ${bounds}, got "${value}"$`, 'm'),
        );
    });

    it('reads WORKER_MAX_HEAP_MB and WORKER_NODE_FLAGS from .env, the environment over it', async () => {
      const root = projectCopy(dir);
      writeFileSync(
        path.join(root, '.env'),
        'WORKER_MAX_HEAP_MB=abc\nWORKER_NODE_FLAGS=--no-such-node-flag\n',
      );
      const fromFile = await run(['bash', 'scripts/worker.sh'], {}, root);
      assertRan(fromFile, 2, /^WORKER_MAX_HEAP_MB: must be a whole number from 64 to 65536, got "abc"$/m);
      // The environment's heap wins; .env's flag reaches node, which refuses it (exit 9) before the worker starts.
      const flagged = await run(['bash', 'scripts/worker.sh'], { WORKER_MAX_HEAP_MB: '256' }, root);
      assert.equal(flagged.code, 9, flagged.out + flagged.err);
      assert.match(flagged.err, /bad option: --no-such-node-flag/);
    });
  });
});

/**
 * A copy of the project that scripts/worker.sh can run in, with a .env of its own: its scripts, its
 * compiled dist/ and the sources it was built from (so the build ids agree and nothing is rebuilt),
 * and the packages.
 */
function projectCopy(dir: string): string {
  const root = path.join(dir, 'project');
  mkdirSync(root);
  const included = (
    JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }
  ).include;
  const entries = [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'scripts',
    'dist',
  ];
  for (const entry of [...entries, ...included])
    cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}
