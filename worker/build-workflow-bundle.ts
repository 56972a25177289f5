// `ts-node worker/build-workflow-bundle.ts FILE`: bundles the workflows into FILE (see workflow-bundle.ts).
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeAtomically } from './workflow-bundle';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: build-workflow-bundle.ts FILE');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (m) => console.error(m),
      error: (m) => console.error(m),
    },
  });
  writeAtomically(file, code);
}

main().catch((err: unknown) => {
  console.error((err as Error).stack ?? String(err));
  process.exit(1);
});
