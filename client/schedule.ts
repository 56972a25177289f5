// `npm run schedule -- <command>`: the Temporal Schedules that run syncs unattended.
//   apply                      create or update clockodo-incremental and clockodo-reconcile
//   list                       every schedule of the namespace, with its state and next run
//   describe <id>              one schedule: times, policies, state, recent and next runs
//   pause <id> [--note text]   stop starting runs (the note says why)
//   unpause <id>               start runs again
//   trigger <id>               start a run now
//   delete <id>                remove the schedule (runs it started are kept)
// Exit codes: 0 done, 2 bad command or setting or a namespace without our search attributes, 3 Temporal unreachable, 4 no such schedule.
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import { ConfigError } from '../config/validate-source-config';
import { readEnv, resolveVariables, SettingsError } from '../config/settings';
import { applySchedules, describeSpec } from './schedules';
import { connectOrSay, namespaceReadyOrSay, temporalSettingsOrSay } from './temporal-connection';
import { UsageError } from './sync-request';

const USAGE = `Usage: npm run schedule -- <command>
  apply                      create or update the incremental and the reconciliation schedule
  list                       the schedules of the namespace
  describe <id>              one schedule: times, policies, state, recent and next runs
  pause <id> [--note text]   stop starting runs
  unpause <id>               start runs again
  trigger <id>               start a run now
  delete <id>                remove the schedule
Settings: SCHEDULE_INCREMENTAL (every 15m), SCHEDULE_RECONCILE (0 3 * * *, UTC),
SCHEDULE_CATCHUP_WINDOW (1h), SCHEDULE_ID_PREFIX (clockodo), and those of start-sync.`;

const time = (d?: Date) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

async function run(client: Client, vars: Record<string, string>, argv: string[]): Promise<number> {
  const [command, id, ...rest] = argv;
  const needId = () => {
    if (!id) throw new UsageError(`${command} needs a schedule id (see: npm run schedule -- list)`);
    return client.schedule.getHandle(id);
  };
  switch (command) {
    case 'apply':
      if (!(await namespaceReadyOrSay(client.connection, client.options.namespace))) return 2;
      for (const a of await applySchedules(client, vars))
        console.log(`${a.created ? 'created' : 'updated'} ${a.id}`);
      return 0;
    case 'list':
      for await (const s of client.schedule.list()) {
        const d = await client.schedule.getHandle(s.scheduleId).describe();
        console.log(
          `${s.scheduleId.padEnd(28)} ${(d.state.paused ? 'paused' : 'active').padEnd(7)} ${describeSpec(d.spec).padEnd(22)} next ${time(d.info.nextActionTimes[0])}`,
        );
      }
      return 0;
    case 'describe': {
      const d = await needId().describe();
      console.log(
        `${id}: ${d.state.paused ? 'PAUSED' : 'active'}${d.state.note ? ` (${d.state.note})` : ''}`,
      );
      console.log(
        `  times: ${describeSpec(d.spec)}; overlap ${d.policies.overlap}, catch-up ${d.policies.catchupWindow / 60_000} min`,
      );
      if (d.action.type === 'startWorkflow')
        console.log(`  starts: ${d.action.workflowType} on task queue ${d.action.taskQueue}`);
      console.log(`  next: ${d.info.nextActionTimes.slice(0, 3).map(time).join(', ') || '-'}`);
      for (const a of d.info.recentActions.slice(-5)) {
        console.log(`  ran: ${time(a.takenAt)} ${a.action.workflow.workflowId}`);
      }
      for (const r of d.info.runningActions) console.log(`  running: ${r.workflow.workflowId}`);
      return 0;
    }
    case 'pause': {
      const noteAt = rest.indexOf('--note');
      const note = noteAt >= 0 ? rest.slice(noteAt + 1).join(' ') : 'paused with npm run schedule -- pause';
      await needId().pause(note);
      console.log(`paused ${id}: ${note}`);
      return 0;
    }
    case 'unpause':
      await needId().unpause('unpaused with npm run schedule -- unpause');
      console.log(`unpaused ${id}`);
      return 0;
    case 'trigger':
      if (!(await namespaceReadyOrSay(client.connection, client.options.namespace))) return 2;
      await needId().trigger();
      console.log(`triggered ${id}: a run starts now (see npm run schedule -- describe ${id})`);
      return 0;
    case 'delete':
      await needId().delete();
      console.log(`deleted ${id}`);
      return 0;
    case undefined:
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
}

async function main(): Promise<number> {
  const vars = resolveVariables(readEnv());
  const temporal = temporalSettingsOrSay(vars);
  if (!temporal) return 2;
  const connection = await connectOrSay(temporal);
  if (!connection) return 3;
  try {
    return await run(new Client({ connection, namespace: temporal.namespace }), vars, process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof SettingsError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof ScheduleNotFoundError) {
      console.error(`no schedule ${JSON.stringify(process.argv[3])} in namespace ${temporal.namespace}`);
      return 4;
    }
    throw e;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`schedule: ${(err as Error).message}`);
    process.exit(1);
  },
);
