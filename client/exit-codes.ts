// One table of exit codes for every command (start-sync, schedule, report, temporal:setup, the
// worker), and the wrapper that maps each kind of failure to its code: a message, never a stack.
import { ConfigError } from '../config/validate-source-config';
import { SettingsError } from '../config/settings-error';

export const EXIT = {
  OK: 0,
  /** The run failed, or something unexpected went wrong. */
  FAILED: 1,
  /** A bad configuration, setting or argument: nothing was started. */
  BAD_INPUT: 2,
  /** Temporal (or, for report and status, ClickHouse) cannot be reached. */
  UNREACHABLE: 3,
  /** start-sync: the run finished degraded. */
  DEGRADED: 4,
  /** schedule: no schedule of that id. */
  NO_SUCH_SCHEDULE: 4,
  /** deployment: no worker of that build has polled, or runs are still pinned to it. */
  DEPLOYMENT_NOT_READY: 4,
  CANCELLED: 5,
  /** start-sync: Ctrl-C stopped following the run (it goes on). */
  STOPPED_FOLLOWING: 130,
} as const;

/** A bad command or argument. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A service the command needs does not answer; the message says which and where. */
export class ServiceUnreachable extends Error {
  override name = 'ServiceUnreachable';
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof SettingsError)
    return EXIT.BAD_INPUT;
  if (err instanceof ServiceUnreachable) return EXIT.UNREACHABLE;
  return EXIT.FAILED;
}

/** What to print for a failure: our own errors say enough; anything else is named by the command. */
export function failureMessage(command: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return exitCodeOf(err) === EXIT.FAILED ? `${command}: ${message}` : message;
}

/** Prints a failure's message (never its stack) and exits with its code. */
function fail(command: string, err: unknown): never {
  console.error(failureMessage(command, err));
  process.exit(exitCodeOf(err));
}

/** Whether the arguments ask for help (`help`, `--help`): then the usage is printed, and the command is done. */
export function printedHelp(args: { command?: string; help?: boolean }, usage: string): boolean {
  if (args.command !== 'help' && !args.help) return false;
  console.log(usage);
  return true;
}

/** Runs a command's main and exits with its code, or with the code of what it threw. */
export function runCommand(command: string, main: () => Promise<number>): void {
  // A reader that stopped reading (`| head`) is no failure of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.OK);
    fail(command, e);
  });
  // What a library throws outside main's promise gets the same treatment, not Node's stack trace.
  process.on('uncaughtException', (e) => fail(command, e));
  process.on('unhandledRejection', (e) => fail(command, e));
  main().then(
    (code) => process.exit(code),
    (err: unknown) => fail(command, err),
  );
}
