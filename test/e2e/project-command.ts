// A project command (`worker/main.ts`, `client/webhooks.ts`, ...) run as its npm script runs it, with
// its output kept for the test to search.
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { PROJECT_ROOT } from '../../config/settings';

const TS_NODE = path.join(PROJECT_ROOT, 'node_modules/.bin/ts-node');

export interface Spawned {
  proc: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

export function runCommand(script: string, env: Record<string, string>, args: string[] = []): Spawned {
  const proc = spawn(TS_NODE, ['--transpile-only', script, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => text, exit };
}

/** The first match of `pattern` in the command's output; fails when it exits or time runs out first. */
export async function waitForText(p: Spawned, pattern: RegExp, seconds: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const m = pattern.exec(p.output());
    if (m) return m;
    if (p.proc.exitCode !== null || Date.now() > deadline)
      assert.fail(`no ${String(pattern)} in the output:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
