// The local API server's own command (api-server/main.ts) on a free port and a small dataset, for the
// tests of what it prints and how it starts; `env` adds to, or overrides, the test's environment.
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

export function spawnApiServerMain(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register', 'api-server/main.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: '1',
      API_SERVER_PORT: '0',
      API_SERVER_SCALE: '0.05',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
