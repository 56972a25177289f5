// The benchmark's processes: the local API server, the worker and the raw loader each run in a
// process of their own (as users run them), so that one's CPU and memory are not counted as another's.
import { ChildProcess, spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../config/settings';

/** Node with ts-node's transpile-only hook: what `npm run worker` and `npm run api-server` run. */
export function spawnTs(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  const entry = path.join(PROJECT_ROOT, script);
  return spawn(process.execPath, [...nodeArgs, '-r', 'ts-node/register/transpile-only', entry, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process ends first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) {
        // Keep reading (and dropping) what follows: a full pipe would block the child's writes.
        child.stdout?.off('data', onData);
        child.stdout?.on('data', () => undefined);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.once('exit', (code) =>
      reject(new Error(`${what} exited (${code}) before it was ready: ${err || out}`)),
    );
  });
}

/** CPU seconds (user + system, all threads) the process has used so far; NaN if it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The pid a service script wrote (.services/<name>/server.pid), if that process is alive. */
export function servicePid(name: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(PROJECT_ROOT, '.services', name, 'server.pid'), 'utf8').trim());
    return existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
/** Children being stopped on purpose (their exit is no failure). */
const stopping = new WeakSet<ChildProcess>();

/**
 * Ends the benchmark when `child` dies before it is stopped (a worker out of memory, say), with its
 * last error output: a load would otherwise wait on it forever. `cleanup` stops the other children.
 */
export function exitWhenDead(child: ChildProcess, what: string, cleanup: () => void): void {
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (stopping.has(child)) return;
    console.error(`[bench] ${what} exited (${code ?? signal}) before the benchmark stopped it:\n${err}`);
    cleanup();
    process.exit(1);
  });
}

export async function stop(child: ChildProcess, graceMs = 20_000): Promise<void> {
  stopping.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to its end; resolves with its stdout, rejects with its stderr's tail on failure. */
export function runToEnd(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${path.basename(command)} ${args[0] ?? ''} failed (${code}): ${err.trim()}`)),
    );
  });
}

/** The last line of `out` that parses as a JSON object. */
export function lastJsonLine<T>(out: string): T {
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON line in: ${out.slice(-500)}`);
  return JSON.parse(line) as T;
}
