// After the parts of a resource were read consistently: mark what vanished inside them, unless it
// is more than the mass-deletion guard lets one run delete (an empty or cut-short read, an API key
// that lost its rights): then nothing is marked, and the run says what it held back.
import { syncIdOf } from '../domain/workflow-ids';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  countDeletionCandidates,
  countMarkersOfRun,
  DeletionTarget,
  writeDeletionMarkers,
} from '../clickhouse/deletions';
import { collidingKeys } from '../clickhouse/sync-state';
import type { DeletionResult, MarkDeletionsRequest } from '../domain/types';
import { count, logInActivity } from './telemetry';

/** How many of `live` rows one run may mark deleted; at least one. */
export function deletionAllowance(live: number, maxShare: number): number {
  return Math.max(1, Math.floor(live * maxShare));
}

/** Why `candidates` deletions must be held back, or undefined when they may be written. */
export function massDeletionReason(
  req: Pick<MarkDeletionsRequest, 'recordsRead' | 'maxDeleteShare' | 'allowMassDelete'>,
  live: number,
  candidates: number,
): string | undefined {
  if (req.allowMassDelete || candidates === 0) return undefined;
  if (req.recordsRead === 0) {
    return `the read came back empty but ${live} rows are live there`;
  }
  const allowed = deletionAllowance(live, req.maxDeleteShare);
  if (candidates > allowed) {
    return `${candidates} of ${live} live rows vanished, more than ${Math.round(req.maxDeleteShare * 100)}% (${allowed})`;
  }
  return undefined;
}

/**
 * Marks what the consistent reads did not receive, and counts the keys they received with more than
 * one content (key collisions; quarantineKeyCollisions keeps those records).
 */
export async function markDeletions(
  deps: { ch: ClickHouseClient; database: string },
  req: MarkDeletionsRequest,
): Promise<DeletionResult> {
  const [result, colliding] = await Promise.all([
    markUnseen(deps, req),
    collidingKeys(deps.ch, deps.database, {
      resource: req.resource.name,
      syncId: syncIdOf(req),
      readIds: req.readIds,
      limit: 0,
    }),
  ]);
  return { ...result, collidingKeys: colliding.total };
}

async function markUnseen(
  deps: { ch: ClickHouseClient; database: string },
  req: MarkDeletionsRequest,
): Promise<DeletionResult> {
  const target: DeletionTarget = {
    db: deps.database,
    resource: req.resource,
    syncId: syncIdOf(req),
    scope: req.scope,
    readIds: req.readIds,
  };
  const { live, candidates } = await countDeletionCandidates(deps.ch, target);
  const held = massDeletionReason(req, live, candidates);
  if (held) {
    count('clockodo_deletions_held_back', req.resource.name, candidates);
    logInActivity('deletions held back', { resource: req.resource.name, candidates, live, reason: held });
    return {
      live,
      candidates,
      marked: await countMarkersOfRun(deps.ch, target),
      heldBack: candidates,
      heldBackReason: `held back ${candidates} deletions: ${held}; run with --allow-mass-delete if they are real`,
    };
  }
  if (candidates > 0) {
    await writeDeletionMarkers(deps.ch, target, Date.now());
    logInActivity('deletions marked', { resource: req.resource.name, marked: candidates, live });
    count('clockodo_rows_deleted', req.resource.name, candidates);
  }
  return { live, candidates, marked: await countMarkersOfRun(deps.ch, target), heldBack: 0 };
}
