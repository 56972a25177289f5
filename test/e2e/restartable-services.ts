// A ClickHouse server and a Temporal dev server of a test's own, which the test may stop and start
// again mid-run (the shared services must not be restarted under other tests). Each keeps its data
// across restarts, as the real ones do: ClickHouse in its data folder, Temporal in --db-filename.
import { ChildProcess, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { freePort, tail, waitFor } from './clickhouse-cluster';

const ROOT = path.resolve(__dirname, '../..');
const TEMPORAL_BIN = path.join(ROOT, '.services/temporal-cli/bin/temporal');

export interface RestartableService {
  /** http://127.0.0.1:PORT for ClickHouse, 127.0.0.1:PORT for Temporal. */
  address: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

async function stopProcess(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGKILL');
    await exited;
  }
}

function restartable(
  address: string,
  dir: string,
  launch: () => ChildProcess,
  ready: () => Promise<boolean>,
  log: string,
): RestartableService {
  let proc: ChildProcess | undefined;
  const service: RestartableService = {
    address,
    start: async () => {
      proc = launch();
      await waitFor(address, ready, 60, () => tail(log));
    },
    stop: async () => {
      await stopProcess(proc);
      proc = undefined;
    },
    close: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return service;
}

/** `users`: extra <users> entries (XML), e.g. a user with a password. */
export async function startOwnClickHouse(opts: { users?: string } = {}): Promise<RestartableService> {
  const dir = mkdtempSync(path.join(tmpdir(), 'clockodo-ch-'));
  const [http, tcp] = [await freePort(), await freePort()];
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(path.join(dir, sub));
  const template = readFileSync(path.join(ROOT, 'clickhouse/server-config/config.xml.template'), 'utf8');
  writeFileSync(
    path.join(dir, 'config.xml'),
    template
      .replace(/@DATA_DIR@/g, dir)
      .replace(/@CONFIG_DIR@/g, dir)
      .replace(/@HTTP_PORT@/g, String(http))
      .replace(/@TCP_PORT@/g, String(tcp)),
  );
  const users = readFileSync(path.join(ROOT, 'clickhouse/server-config/users.xml'), 'utf8');
  writeFileSync(path.join(dir, 'users.xml'), users.replace('</users>', `${opts.users ?? ''}</users>`));
  const url = `http://127.0.0.1:${http}`;
  const service = restartable(
    url,
    dir,
    () => spawn('clickhouse-server', [`--config-file=${path.join(dir, 'config.xml')}`], { stdio: 'ignore' }),
    async () => (await fetch(`${url}/ping`)).ok,
    path.join(dir, 'log/clickhouse-server.err.log'),
  );
  await service.start();
  return service;
}

export async function startOwnTemporal(
  searchAttributes: Record<string, string>,
): Promise<RestartableService> {
  const dir = mkdtempSync(path.join(tmpdir(), 'clockodo-temporal-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const log = path.join(dir, 'server.log');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless']
    .concat(['--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'warn'])
    .concat(Object.entries(searchAttributes).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]));
  const service = restartable(
    address,
    dir,
    () => {
      const out = openSync(log, 'a');
      return spawn(TEMPORAL_BIN, args, { stdio: ['ignore', out, out] });
    },
    () =>
      new Promise((resolve) => {
        const p = spawn(
          TEMPORAL_BIN,
          ['operator', 'namespace', 'describe', '--address', address, '-n', 'default'],
          {
            stdio: 'ignore',
          },
        );
        p.once('exit', (code) => resolve(code === 0));
      }),
    log,
  );
  await service.start();
  return service;
}
