// `npm run deployment -- <command>`: the builds that serve the sync task queue (Temporal's Worker
// Deployment Versioning; docs/operations.md, "Deploying a new build").
//   status                      every build of the deployment: current, ramping, draining, and the
//                               open runs pinned to it (a build with none may have its workers stopped)
//   promote [BUILD_ID]          new runs go to BUILD_ID (default: this checkout's build); runs in
//                               flight stay on the build that started them
//   drained BUILD_ID [--wait S] exit 0 once no open run is pinned to BUILD_ID, waiting up to S seconds
// Exit codes (client/exit-codes.ts): 0 done, 1 failed, 2 bad command or setting, 3 Temporal
// unreachable, 4 no such build (promote) or runs still pinned to it (drained).
import { Client } from '@temporalio/client';
import { readEnv, resolveVariables } from '../config/settings';
import { quotedValue } from '../config/settings-error';
import { temporalSettings } from '../config/temporal-settings';
import { workerVersioning } from '../config/worker-settings';
import { describeDeployment } from '../worker/deployment-version';
import { sourcesBuildId } from '../worker/build-id';
import { EXIT, printedHelp, runCommand, UsageError } from './exit-codes';
import { withTemporalClient } from './temporal-connection';

export const DEPLOYMENT_USAGE = `usage: npm run deployment -- <command>
  status                       the deployment's builds and the open runs pinned to each
  promote [BUILD_ID]           send new runs to BUILD_ID (default: this checkout's build)
  drained BUILD_ID [--wait S]  exit 0 once no open run is pinned to BUILD_ID (wait up to S seconds)`;

export type DeploymentArgs =
  | { command: 'help' | 'status' }
  | { command: 'promote'; buildId?: string }
  | { command: 'drained'; buildId: string; waitSeconds: number };

const BUILD_ID = /^[A-Za-z0-9._-]{1,255}$/;

export function parseDeploymentArgs(argv: string[]): DeploymentArgs {
  const [command, ...rest] = argv;
  const buildIdArg = (text: string | undefined) => {
    if (text === undefined || !BUILD_ID.test(text))
      throw new UsageError(
        `${command}: a build id (letters, digits, '.', '-', '_'), got ${quotedValue(text ?? '')}`,
      );
    return text;
  };
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
      return { command: 'help' };
    case 'status':
      if (rest.length) throw new UsageError(`status takes no arguments, got ${quotedValue(rest[0])}`);
      return { command };
    case 'promote':
      if (rest.length > 1) throw new UsageError(`promote takes one build id, got ${rest.length}`);
      return rest.length ? { command, buildId: buildIdArg(rest[0]) } : { command };
    case 'drained': {
      const buildId = buildIdArg(rest[0]);
      if (rest.length === 1) return { command, buildId, waitSeconds: 0 };
      const seconds = Number(rest[2]);
      if (
        rest[1] !== '--wait' ||
        rest.length !== 3 ||
        !Number.isInteger(seconds) ||
        seconds < 0 ||
        seconds > 86400
      )
        throw new UsageError(
          `drained BUILD_ID [--wait SECONDS (0 to 86400)], got ${quotedValue(rest.slice(1).join(' '))}`,
        );
      return { command, buildId, waitSeconds: seconds };
    }
    default:
      throw new UsageError(`unknown command ${quotedValue(command)}\n${DEPLOYMENT_USAGE}`);
  }
}

/** Open runs pinned to a build (the visibility store's view: it lags the server by about a second). */
export async function runsPinnedTo(client: Client, deploymentName: string, buildId: string): Promise<number> {
  const { count } = await client.workflow.count(
    `TemporalWorkerDeploymentVersion = '${deploymentName}:${buildId}' AND ExecutionStatus = 'Running'`,
  );
  return count;
}

async function run(client: Client, args: DeploymentArgs, deploymentName: string): Promise<number> {
  const namespace = client.options.namespace;
  const state = await describeDeployment(client.connection, namespace, deploymentName);
  switch (args.command) {
    case 'help':
      return EXIT.OK;
    case 'status': {
      if (!state) {
        console.log(
          `deployment ${deploymentName}: no versioned worker has polled yet (start one: npm run worker)`,
        );
        return EXIT.OK;
      }
      console.log(
        `deployment ${deploymentName} (namespace ${namespace}); this checkout's build: ${sourcesBuildId()}`,
      );
      for (const buildId of state.buildIds) {
        const role =
          buildId === state.currentBuildId ? 'current' : buildId === state.rampingBuildId ? 'ramping' : 'old';
        const pinned = await runsPinnedTo(client, deploymentName, buildId);
        const advice = role === 'old' && pinned === 0 ? ' (drained: its workers may be stopped)' : '';
        console.log(
          `  ${buildId.padEnd(24)} ${role.padEnd(8)} ${pinned} open run${pinned === 1 ? '' : 's'}${advice}`,
        );
      }
      return EXIT.OK;
    }
    case 'promote': {
      const buildId = args.buildId ?? sourcesBuildId();
      if (!state?.buildIds.includes(buildId)) {
        console.error(
          `no worker of build ${buildId} has polled deployment ${deploymentName} yet: start its workers first (npm run worker)`,
        );
        return EXIT.DEPLOYMENT_NOT_READY;
      }
      if (state.currentBuildId === buildId) {
        console.log(`build ${buildId} is already current: new runs go to it`);
        return EXIT.OK;
      }
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName,
        buildId,
        identity: 'npm run deployment -- promote',
      });
      console.log(
        `build ${buildId} is current: new runs go to it; runs in flight stay on ${state.currentBuildId ?? 'unversioned workers'}` +
          ' (npm run deployment -- status shows when they are done)',
      );
      return EXIT.OK;
    }
    case 'drained': {
      const deadline = Date.now() + args.waitSeconds * 1000;
      for (;;) {
        const pinned = await runsPinnedTo(client, deploymentName, args.buildId);
        if (pinned === 0) {
          console.log(`build ${args.buildId}: no open run is pinned to it`);
          return EXIT.OK;
        }
        if (Date.now() >= deadline) {
          console.log(
            `build ${args.buildId}: ${pinned} open run${pinned === 1 ? '' : 's'} still pinned to it`,
          );
          return EXIT.DEPLOYMENT_NOT_READY;
        }
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }
}

async function main(): Promise<number> {
  const args = parseDeploymentArgs(process.argv.slice(2));
  if (printedHelp(args, DEPLOYMENT_USAGE)) return EXIT.OK;
  const vars = resolveVariables(readEnv());
  const { deploymentName } = workerVersioning(vars);
  return withTemporalClient(temporalSettings(vars), (client) => run(client, args, deploymentName));
}

if (require.main === module) runCommand('deployment', main);
