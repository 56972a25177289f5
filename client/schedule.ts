// `npm run schedule -- <command>`: the Temporal Schedules that run syncs unattended.
//   apply                      create or update clockodo-incremental and clockodo-reconcile
//   list                       every schedule of the namespace, with its state and next run
//   describe <id>              one schedule: times, policies, state, recent and next runs
//   pause <id> [--note text]   stop starting runs (the note says why)
//   unpause <id>               start runs again
//   trigger <id>               start a run now
//   delete <id>                remove the schedule (runs it started are kept)
// Exit codes (client/exit-codes.ts): 0 done, 1 failed, 2 bad command, argument or setting (checked
// before connecting) or a namespace without our search attributes, 3 Temporal unreachable, 4 no such schedule.
import { Client, ScheduleNotFoundError, ScheduleOptions } from '@temporalio/client';
import { readEnv, resolveVariables } from '../config/settings';
import { quotedValue } from '../config/settings-error';
import { temporalSettings } from '../config/temporal-settings';
import { EXIT, printedHelp, runCommand } from './exit-codes';
import { parseScheduleArgs, ScheduleArgs, SCHEDULE_USAGE } from './schedule-args';
import { applySchedules, describeSpec, planSchedules } from './schedules';
import { requireNamespaceReady, withTemporalClient } from './temporal-connection';

const time = (d?: Date) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

async function run(client: Client, args: ScheduleArgs, planned: ScheduleOptions[]): Promise<number> {
  switch (args.command) {
    case 'help':
      return EXIT.OK;
    case 'apply':
      await requireNamespaceReady(client.connection, client.options.namespace);
      for (const a of await applySchedules(client, planned))
        console.log(`${a.created ? 'created' : 'updated'} ${a.id}`);
      return EXIT.OK;
    case 'list':
      for await (const s of client.schedule.list()) {
        const d = await client.schedule.getHandle(s.scheduleId).describe();
        console.log(
          `${s.scheduleId.padEnd(28)} ${(d.state.paused ? 'paused' : 'active').padEnd(7)} ${describeSpec(d.spec).padEnd(22)} next ${time(d.info.nextActionTimes[0])}`,
        );
      }
      return EXIT.OK;
  }
  const { id } = args;
  const handle = client.schedule.getHandle(id);
  switch (args.command) {
    case 'describe': {
      const d = await handle.describe();
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
      return EXIT.OK;
    }
    case 'pause': {
      const note = args.note ?? 'paused with npm run schedule -- pause';
      await handle.pause(note);
      console.log(`paused ${id}: ${note}`);
      return EXIT.OK;
    }
    case 'unpause':
      await handle.unpause('unpaused with npm run schedule -- unpause');
      console.log(`unpaused ${id}`);
      return EXIT.OK;
    case 'trigger':
      await requireNamespaceReady(client.connection, client.options.namespace);
      await handle.trigger();
      console.log(`triggered ${id}: a run starts now (see npm run schedule -- describe ${id})`);
      return EXIT.OK;
    case 'delete':
      await handle.delete();
      console.log(`deleted ${id}`);
      return EXIT.OK;
  }
}

async function main(): Promise<number> {
  // Everything that can be wrong with the command or the settings is found before connecting.
  const args = parseScheduleArgs(process.argv.slice(2));
  if (printedHelp(args, SCHEDULE_USAGE)) return EXIT.OK;
  const vars = resolveVariables(readEnv());
  const temporal = temporalSettings(vars);
  // Both schedules, or neither: each one's times, policies and request are checked first.
  const planned = args.command === 'apply' ? planSchedules(vars) : [];
  try {
    return await withTemporalClient(temporal, (client) => run(client, args, planned));
  } catch (e) {
    if (!(e instanceof ScheduleNotFoundError)) throw e;
    console.error(
      `no schedule ${quotedValue('id' in args ? args.id : '', 80)} in namespace ${temporal.namespace}`,
    );
    return EXIT.NO_SUCH_SCHEDULE;
  }
}

runCommand('schedule', main);
