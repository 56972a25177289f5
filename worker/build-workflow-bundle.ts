// `node dist/worker/build-workflow-bundle.js --dist BUILD_ID` (scripts/build.sh, after tsc): writes
// the workflow bundle into dist/, then dist/build-info.json with BUILD_ID; the latter last, so its
// presence means a complete build. `ts-node worker/build-workflow-bundle.ts FILE`: just the bundle,
// into FILE (workflow-bundle.ts, for workers run from the sources).
import { renameSync, writeFileSync } from 'fs';
import * as path from 'path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../config/settings';
import { BUILD_INFO_FILE, WORKFLOW_BUNDLE_FILE } from './build-id';

/** Bundles the workflows from their TypeScript sources (the bundler compiles them itself). */
async function bundleWorkflows(): Promise<string> {
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(PROJECT_ROOT, 'workflows/index.ts'),
    logger: {
      log: quiet,
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: (m) => console.error(m),
      error: (m) => console.error(m),
    },
  });
  return code;
}

/** Writes `text` to `file` at once (by rename), so a worker starting meanwhile never reads half of it. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function main(): Promise<void> {
  const [first, buildId] = process.argv.slice(2);
  // --dist from the compiled copy only: dist/ is the folder above it.
  if (first === '--dist' && buildId && path.extname(__filename) === '.js') {
    const dist = path.resolve(__dirname, '..');
    writeAtomically(path.join(dist, WORKFLOW_BUNDLE_FILE), await bundleWorkflows());
    writeAtomically(path.join(dist, BUILD_INFO_FILE), `${JSON.stringify({ buildId }, null, 2)}\n`);
  } else if (first && !first.startsWith('-')) {
    writeAtomically(first, await bundleWorkflows());
  } else {
    throw new Error('usage: build-workflow-bundle (FILE | --dist BUILD_ID)');
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).stack ?? String(err));
  process.exit(1);
});
