// The workflow code as one file (webpack, through the SDK's bundler) is made ahead of any worker
// start: bundling takes seconds and a few hundred MB that a worker would otherwise pay each time it
// starts. `npm run build` writes it into dist/; workers run from the sources (tests, ts-node) use a
// copy per build id in .services/workflow-bundle/, made here.
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../config/settings';

/**
 * The bundle of the sources under `buildId`, bundled now (in a process of its own, by ts-node: this
 * path is for the sources only) if missing. Other ids' bundles stay: checkouts sharing .services may
 * be starting workers from them.
 */
export function devWorkflowBundle(buildId: string): string {
  const dir = path.join(process.env.SERVICES_DIR ?? path.join(PROJECT_ROOT, '.services'), 'workflow-bundle');
  const file = path.join(dir, `workflows-${buildId}.js`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const built = spawnSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      path.join(PROJECT_ROOT, 'worker/build-workflow-bundle.ts'),
      file,
    ],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  if (built.status !== 0) {
    throw new Error(
      `building the workflow bundle failed: ${(built.stderr || built.stdout).trim().slice(-2000)}`,
    );
  }
  return file;
}
