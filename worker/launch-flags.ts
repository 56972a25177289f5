// The node flags `npm run worker` starts the worker with, one a line: the heap cap
// (WORKER_MAX_HEAP_MB) and WORKER_NODE_FLAGS, read like every other setting (the environment over
// .env over defaults). scripts/worker.sh runs it compiled; a bad setting exits 2 here, naming it.
import { readEnv } from '../config/settings';
import { SettingsError } from '../config/settings-error';
import { workerNodeFlags } from '../config/worker-settings';

try {
  for (const flag of workerNodeFlags(readEnv())) console.log(flag);
} catch (e) {
  if (!(e instanceof SettingsError)) throw e;
  console.error(e.message);
  process.exitCode = 2;
}
