// A production install: the built output (dist/ from `npm run build`), package.json, package-lock.json
// and the source configurations in a folder of their own, with `npm ci --omit=dev` and nothing else.
// Its worker (`node dist/worker/main.js`) and client (`node dist/client/start-sync.js`) sync the demo
// data exactly, under the build id of the sources, without a dev dependency or bundling at start.
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import { once } from 'events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { createInterface } from 'readline';
import { DEFAULT_SIZE } from '../../api-server/data-generator';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { PROJECT_ROOT } from '../../config/settings';
import { sourcesBuildId } from '../../worker/build-id';
import { assertCurrentEqualsApi } from './assert-current';
import { Harness, startHarness } from './harness';

/** What a production install holds besides node_modules: the build and what the runtime reads. */
const INSTALLED = ['package.json', 'package-lock.json', 'dist', 'config/sources'];

interface Finished {
  code: number | null;
  output: string;
}

/** Runs a command to its end, its stdout and stderr together. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const p = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, output }));
  });
}

/** The first stdout line matching `pattern`; fails with the output when the process exits first. */
function lineOf(p: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    p.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    createInterface({ input: p.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      if (pattern.test(line)) resolve(line);
    });
    p.once('exit', (code) => reject(new Error(`exited (${code}) before ${String(pattern)}:\n${output}`)));
  });
}

describe('a production install (npm ci --omit=dev and the built output)', function () {
  // npm ci downloads (or takes from npm's cache) the runtime dependencies: about 15 to 60 s.
  this.timeout(600_000);
  let h: Harness;
  let dir: string;
  let worker: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    const built = await run('bash', ['scripts/build.sh'], PROJECT_ROOT, process.env);
    assert.equal(built.code, 0, built.output);
    dir = mkdtempSync(path.join(tmpdir(), 'clockodo-production-'));
    for (const item of INSTALLED) {
      mkdirSync(path.dirname(path.join(dir, item)), { recursive: true });
      cpSync(path.join(PROJECT_ROOT, item), path.join(dir, item), { recursive: true });
    }
    const installed = await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], dir, process.env);
    assert.equal(installed.code, 0, installed.output);
    // The demo data: the local API server's default dataset and seed.
    h = await startHarness({ size: DEFAULT_SIZE(new Date()), seed: 42, inProcessWorker: false });
    // The settings alone: nothing of this process (ts-node's hooks, NODE_PATH) reaches the install.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, ...h.vars, WORKER_METRICS_ADDRESS: 'off' };
  });
  after(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const gone = once(worker, 'exit');
      worker.kill('SIGKILL');
      await gone;
    }
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has no dev dependency installed', () => {
    assert.ok(existsSync(path.join(dir, 'node_modules/@temporalio/worker')), 'the runtime dependencies');
    for (const dev of ['ts-node', 'typescript', 'mocha', 'eslint']) {
      assert.ok(!existsSync(path.join(dir, 'node_modules', dev)), `${dev} is a dev dependency`);
    }
  });

  it('starts a worker under the sources build id that syncs the demo data exactly', async () => {
    worker = spawn(process.execPath, ['dist/worker/main.js'], { cwd: dir, env });
    const started = JSON.parse(await lineOf(worker, /"message":"worker started"/)) as { buildId: string };
    assert.equal(started.buildId, sourcesBuildId(), 'the id of the sources it was built from');

    const sync = await run(process.execPath, ['dist/client/start-sync.js'], dir, env);
    assert.equal(sync.code, 0, sync.output);
    const resources = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources;
    assert.ok(resources.length > 0);
    for (const resource of resources) await assertCurrentEqualsApi(h, resource);
    // The prebuilt bundle served: nothing was bundled (into .services/) at start.
    assert.ok(!existsSync(path.join(dir, '.services')));
  });

  it('holds the bundle of the sources as they are now', async () => {
    // Bundled again here as workers run from the sources bundle them (worker/workflow-bundle.ts); a
    // build that recorded the id but kept an older bundle would differ.
    const fresh = path.join(dir, 'fresh-bundle.js');
    const bundled = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'worker/build-workflow-bundle.ts', fresh],
      PROJECT_ROOT,
      process.env,
    );
    assert.equal(bundled.code, 0, bundled.output);
    assert.ok(
      readFileSync(path.join(dir, 'dist/workflow-bundle.js')).equals(readFileSync(fresh)),
      'the same workflow code',
    );
  });

  it('without the prebuilt bundle, a worker refuses to start and says to run npm run build', async () => {
    const bundle = path.join(dir, 'dist/workflow-bundle.js');
    renameSync(bundle, `${bundle}.away`);
    try {
      const refused = await run(process.execPath, ['dist/worker/main.js'], dir, env);
      assert.equal(refused.code, 1, refused.output);
      assert.match(refused.output, /missing workflow-bundle\.js\): run `npm run build`/);
    } finally {
      renameSync(`${bundle}.away`, bundle);
    }
  });
});
