// `npm run schedule -- <command>` read and checked before anything connects: a typo exits 2 at once.
import { quotedValue } from '../config/settings-error';
import { UsageError } from './exit-codes';

export const SCHEDULE_USAGE = `Usage: npm run schedule -- <command>
  apply                      create or update the incremental and the reconciliation schedule
  list                       the schedules of the namespace
  describe <id>              one schedule: times, policies, state, recent and next runs
  pause <id> [--note text]   stop starting runs
  unpause <id>               start runs again
  trigger <id>               start a run now
  delete <id>                remove the schedule
  help                       this text
Settings: SCHEDULE_INCREMENTAL (every 15m), SCHEDULE_RECONCILE (0 3 * * *, UTC),
SCHEDULE_CATCHUP_WINDOW (1h), SCHEDULE_LOCK_WAIT (1h), SCHEDULE_ID_PREFIX (clockodo), and those of start-sync.
Exit codes: 0 done, 1 failed, 2 bad command, argument or setting (nothing sent), 3 Temporal cannot be
reached, 4 no such schedule.`;

const WITHOUT_ID = ['apply', 'list'] as const;
const WITH_ID = ['describe', 'pause', 'unpause', 'trigger', 'delete'] as const;
export type ScheduleCommand = (typeof WITHOUT_ID)[number] | (typeof WITH_ID)[number];

export type ScheduleArgs =
  | { command: 'help' }
  | { command: (typeof WITHOUT_ID)[number] }
  | { command: (typeof WITH_ID)[number]; id: string; note?: string };

export function parseScheduleArgs(argv: string[]): ScheduleArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError(`a command is needed\n${SCHEDULE_USAGE}`);
  if (command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  const extra = (args: string[]) => {
    if (args.length > 0)
      throw new UsageError(`${command}: unexpected argument ${quotedValue(args[0])}\n${SCHEDULE_USAGE}`);
  };
  if ((WITHOUT_ID as readonly string[]).includes(command)) {
    extra(rest);
    return { command: command as (typeof WITHOUT_ID)[number] };
  }
  if (!(WITH_ID as readonly string[]).includes(command))
    throw new UsageError(`unknown command ${quotedValue(command)}\n${SCHEDULE_USAGE}`);
  const [id, ...more] = rest;
  if (id === undefined || id.startsWith('-'))
    throw new UsageError(`${command} needs a schedule id (see: npm run schedule -- list)`);
  const cmd = command as (typeof WITH_ID)[number];
  if (cmd === 'pause' && more[0] === '--note') {
    const note = more.slice(1).join(' ').trim();
    if (note === '') throw new UsageError('pause: --note needs a text, e.g. --note "API maintenance"');
    return { command: cmd, id, note };
  }
  extra(more);
  return { command: cmd, id };
}
