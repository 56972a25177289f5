// A Temporal dev server of the benchmark's own, for `--own-server`: on a shared machine the shared
// server's CPU is mostly other people's work, and only a server nobody else uses shows what a run
// cost it. Started with the shared server's settings (scripts/services-start.sh: SQLite file with
// WAL, eager activity dispatch) and a known /metrics port, in a temporary folder.
import { ChildProcess, execFile, spawn } from 'child_process';
import { mkdtempSync, openSync, rmSync } from 'fs';
import * as net from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { stop } from './processes';

export interface PrivateTemporal {
  address: string;
  pid: number;
  metricsUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const answers = (cli: string, address: string, namespace: string) =>
  new Promise<boolean>((resolve) =>
    execFile(cli, ['operator', 'namespace', 'describe', '--address', address, '-n', namespace], (e) =>
      resolve(!e),
    ),
  );

export async function startPrivateTemporal(cli: string, namespace: string): Promise<PrivateTemporal> {
  const dir = mkdtempSync(path.join(tmpdir(), 'orch-bench-temporal-'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless']
    .concat(['--metrics-port', String(metricsPort), '--namespace', namespace, '--log-level', 'warn'])
    .concat(['--db-filename', path.join(dir, 'temporal.db')])
    .concat(['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'])
    .concat(['--dynamic-config-value', 'system.enableActivityEagerExecution=true']);
  const log = openSync(path.join(dir, 'server.log'), 'a');
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', log, log] });
  const stopIt = async () => {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    if (await answers(cli, address, namespace)) {
      return {
        address,
        pid: child.pid as number,
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
        stop: stopIt,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop(child); // the folder stays, for its log
  throw new Error(
    `the private Temporal dev server did not answer on ${address} (its log: ${dir}/server.log)`,
  );
}
