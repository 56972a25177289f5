// Workflow ids that act as locks: Temporal allows one running workflow per id, so a second sync of a
// resource into the same destination cannot start while one runs, whatever task queue it uses.
import type { Destination, LegacySyncId } from './types';

/** `host:port/database`, without scheme, credentials, path or query: one name per destination. */
export function destinationKey(d: Destination): string {
  const authority = d.url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/?#].*$/, '');
  // Credentials end at the last '@' (a password may hold one, unencoded).
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  return `${hostPort.toLowerCase()}/${d.database}`;
}

export const resourceWorkflowId = (d: Destination, resource: string) =>
  `clockodo-sync/${destinationKey(d)}/${resource}`;

/** The one workflow per destination that turns webhook events into syncs (workflows/changes.ts). */
export const changesWorkflowId = (d: Destination) => `clockodo-changes/${destinationKey(d)}`;

/** One child per part of a resource's read, named by the part. */
export const partWorkflowId = (resourceId: string, label: string) => `${resourceId}/${label}`;

/**
 * The sync's id a workflow input carries: `syncId`, or `runId` in inputs recorded (or continued as
 * new) before the rename. Histories replay, and runs in flight go on, with either.
 */
export const syncIdOf = (input: { syncId?: string } & LegacySyncId): string =>
  input.syncId ?? input.runId ?? '';
