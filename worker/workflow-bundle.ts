// The workflow code is bundled (webpack) once per version of its sources and kept on disk, instead of
// at every worker start: bundling takes seconds and a few hundred MB that a worker would otherwise
// pay each time it starts (and keep as its peak memory). A new version of the sources gets a new file.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../config/settings';

/** Folders whose code the bundle may hold (workflows and what they import), and the lock file. */
const SOURCES = ['workflows', 'shared', 'config', 'activities', 'clickhouse'];
const CACHE_DIR = path.join(
  process.env.SERVICES_DIR ?? path.join(PROJECT_ROOT, '.services'),
  'workflow-bundle',
);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return tsFiles(p);
      return e.name.endsWith('.ts') ? [p] : [];
    })
    .sort();
}

/** A hash of every source the bundle could contain, and of the installed package versions. */
export function sourcesHash(): string {
  const hash = createHash('sha256');
  for (const file of [...SOURCES.flatMap((d) => tsFiles(path.join(PROJECT_ROOT, d))), 'package-lock.json']) {
    hash.update(path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, file))).update('\0');
    hash.update(readFileSync(path.resolve(PROJECT_ROOT, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The path of the bundle for the current sources, built now (in a process of its own) if missing. */
export function workflowBundlePath(): string {
  const file = path.join(CACHE_DIR, `workflows-${sourcesHash()}.js`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE_DIR, { recursive: true });
  const built = spawnSync(
    process.execPath,
    // From the sources, also when this worker runs compiled (dist/).
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
  // Bundles of older sources are of no use any more.
  for (const old of readdirSync(CACHE_DIR)) {
    if (old.startsWith('workflows-') && path.join(CACHE_DIR, old) !== file) {
      rmSync(path.join(CACHE_DIR, old), { force: true });
    }
  }
  return file;
}

/** Writes `code` to `file` at once (by rename), so a worker starting meanwhile never reads half of it. */
export function writeAtomically(file: string, code: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
}
