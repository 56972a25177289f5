// The build id: the package version and a hash of every file compiled into the worker (the folders
// tsconfig.build.json includes), the compiler settings and package-lock.json. `npm run build` records
// it in dist/build-info.json beside the prebuilt workflow bundle, and a worker runs under it, so a
// changed build can never pass for an old one.
// `node dist/worker/build-id.js` prints the build's id; `--sources` prints the id of the sources now.
import { createHash } from 'crypto';
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../config/settings';
import { devWorkflowBundle } from './workflow-bundle';

/** What `npm run build` writes into dist/ besides the compiled code. */
export const BUILD_INFO_FILE = 'build-info.json';
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

export interface BuildInfo {
  buildId: string;
  workflowBundle: { codePath: string };
}

/** Files under `dir`, recursively, as paths relative to `root` with `/` separators. */
function filesUnder(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return filesUnder(root, rel);
    return e.isFile() ? [rel] : [];
  });
}

/** `<version>-<12 hex>`: the version in package.json and a hash of the files that make the worker. */
export function sourcesBuildId(root: string = PROJECT_ROOT): string {
  const read = (file: string) => readFileSync(path.join(root, file));
  const pkg = JSON.parse(read('package.json').toString('utf8')) as { version: string };
  const included = (JSON.parse(read('tsconfig.build.json').toString('utf8')) as { include: string[] })
    .include;
  const files = [
    ...included.flatMap((dir) => filesUnder(root, dir)),
    'tsconfig.json',
    'tsconfig.build.json',
    'package-lock.json',
  ].sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(read(file)).update('\0');
  return `${pkg.version}-${hash.digest('hex').slice(0, 12)}`;
}

/** Compiled into dist/ (plain node), rather than run from the sources by ts-node. */
const COMPILED = path.extname(__filename) === '.js';
/** dist/, when compiled: this module is dist/worker/build-id.js. */
const DIST = path.resolve(__dirname, '..');

/** The id `npm run build` recorded in dist/; a clear error when there is no complete build. */
export function builtId(): string {
  const missing = [BUILD_INFO_FILE, WORKFLOW_BUNDLE_FILE].filter((f) => !existsSync(path.join(DIST, f)));
  if (missing.length > 0) {
    throw new Error(`no complete build in ${DIST} (missing ${missing.join(', ')}): run \`npm run build\``);
  }
  return (JSON.parse(readFileSync(path.join(DIST, BUILD_INFO_FILE), 'utf8')) as { buildId: string }).buildId;
}

/**
 * The build a worker runs: compiled, dist/'s prebuilt bundle under the id recorded with it; from the
 * sources (tests, ts-node), a bundle of the sources as they are now, under their id.
 */
export function buildInfo(): BuildInfo {
  if (COMPILED) {
    return { buildId: builtId(), workflowBundle: { codePath: path.join(DIST, WORKFLOW_BUNDLE_FILE) } };
  }
  const buildId = sourcesBuildId();
  return { buildId, workflowBundle: { codePath: devWorkflowBundle(buildId) } };
}

if (require.main === module) {
  try {
    console.log(process.argv[2] === '--sources' ? sourcesBuildId() : builtId());
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
