// An incompatible workflow change, written by the tests rather than by a person: a copy of the
// workflow sources with one more activity call near the top of syncResourceWorkflow (the kind of
// change any feature brings), bundled. Runs started by the real code cannot replay on it.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { bundleWorkflowCode } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..');
/** The folders the workflow bundle reads from (workflows and what they import). */
const SOURCES = ['workflows', 'domain', 'config', 'activities', 'clickhouse'];
/** The line the extra call goes after: the first statement that runs in every resource sync. */
const ANCHOR = '  const nowMs = Date.now(); // workflow time: the same on replay\n';
const EXTRA_CALL =
  '  // The incompatible change: one more activity call before anything else.\n' +
  '  await acts.readCursor({ destination, resource: resource.name });\n';

/** The source of workflows/sync-resource.ts with the extra call (throws if the anchor moved). */
export function changedSyncResourceSource(): string {
  const source = readFileSync(path.join(ROOT, 'workflows/sync-resource.ts'), 'utf8');
  if (!source.includes(ANCHOR)) {
    throw new Error('test/incompatible-change.ts: the anchor line is gone from workflows/sync-resource.ts');
  }
  return source.replace(ANCHOR, ANCHOR + EXTRA_CALL);
}

/** Workflow code with the change, bundled like the worker's own (for Worker options or replay). */
export async function bundleIncompatibleChange(): Promise<{ code: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'incompatible-change-'));
  try {
    for (const d of SOURCES) cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    writeFileSync(path.join(dir, 'workflows/sync-resource.ts'), changedSyncResourceSource());
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(dir, 'workflows/index.ts'),
      logger: quietLogger,
    });
    return { code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const quiet = () => undefined;
const quietLogger = {
  log: quiet,
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: quiet,
  error: (m: string) => console.error(m),
};
