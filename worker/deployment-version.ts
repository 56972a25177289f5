// The worker's place in Temporal's Worker Deployment Versioning: which version it serves, and
// making that version current on a first install (or on every start, WORKER_DEPLOYMENT_PROMOTE=always).
// Every workflow type is PINNED: a run stays on the build that started it, so a deploy never replays
// a run's history on code that did not write it (docs/operations.md, "Deploying a new build").
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { WorkerVersioning } from '../config/worker-settings';

export function deploymentOptions(
  versioning: WorkerVersioning,
  buildId: string,
): WorkerOptions['workerDeploymentOptions'] {
  if (versioning.mode === 'off') return undefined;
  return {
    useWorkerVersioning: true,
    version: { deploymentName: versioning.deploymentName, buildId },
    defaultVersioningBehavior: 'PINNED',
  };
}

/** The deployment's routing as the worker sees it: its versions and which is current. */
export interface DeploymentState {
  currentBuildId?: string;
  rampingBuildId?: string;
  buildIds: string[];
}

export async function describeDeployment(
  connection: Pick<NativeConnection, 'workflowService'>,
  namespace: string,
  deploymentName: string,
): Promise<DeploymentState | undefined> {
  try {
    const { workerDeploymentInfo: info } = await connection.workflowService.describeWorkerDeployment({
      namespace,
      deploymentName,
    });
    return {
      currentBuildId: info?.routingConfig?.currentDeploymentVersion?.buildId || undefined,
      rampingBuildId: info?.routingConfig?.rampingDeploymentVersion?.buildId || undefined,
      buildIds: (info?.versionSummaries ?? []).flatMap((v) =>
        v.deploymentVersion?.buildId ? [v.deploymentVersion.buildId] : [],
      ),
    };
  } catch (e) {
    // gRPC NOT_FOUND: no worker of this deployment has polled yet.
    if ((e as { code?: number }).code === 5) return undefined;
    throw e;
  }
}

/**
 * Once the server knows this worker's version (its first poll registers it), makes it current when
 * the deployment has no current version or `promote` is `always`. Without a current version, new
 * runs would go to unversioned workers only and wait for good. Returns what it did, for the log.
 */
export async function adoptVersion(
  connection: Pick<NativeConnection, 'workflowService'>,
  namespace: string,
  versioning: WorkerVersioning,
  buildId: string,
  signal: AbortSignal,
): Promise<'made current' | 'already current' | 'not current' | 'stopped'> {
  const { deploymentName } = versioning;
  for (let wait = 100; !signal.aborted; wait = Math.min(wait * 2, 2000)) {
    const state = await describeDeployment(connection, namespace, deploymentName);
    if (state?.buildIds.includes(buildId)) {
      if (state.currentBuildId === buildId) return 'already current';
      if (state.currentBuildId && versioning.promote === 'first') return 'not current';
      await connection.workflowService.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName,
        buildId,
        identity: `worker ${buildId}`,
      });
      return 'made current';
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return 'stopped';
}
