// How `npm run worker` starts node, one item a line: first the environment it adds (NAME=VALUE, e.g.
// MALLOC_ARENA_MAX), then the node flags (the heap limits and WORKER_NODE_FLAGS), all read like every
// other setting (the environment over .env over what config/worker-resources.ts derives from the
// machine). scripts/worker.sh runs it compiled; a bad setting exits 2 here, naming it.
import { readEnv } from '../config/settings';
import { SettingsError } from '../config/settings-error';
import { workerNodeEnv, workerNodeFlags } from '../config/worker-settings';

try {
  const vars = readEnv();
  const lines = [
    ...Object.entries(workerNodeEnv(vars)).map(([name, value]) => `${name}=${value}`),
    ...workerNodeFlags(vars),
  ];
  for (const line of lines) console.log(line);
} catch (e) {
  if (!(e instanceof SettingsError)) throw e;
  console.error(e.message);
  process.exitCode = 2;
}
