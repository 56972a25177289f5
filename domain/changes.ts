// What the webhook receiver tells the changes workflow, and what that workflow keeps: small facts
// only (resource names, event names, counts, times). Never a token, never a record.
// Type-only and dependency-free, because workflow code imports it.
import type { SyncInput } from './types';

/** Events of one resource the receiver gathered before it signalled (one signal per flush). */
export interface ResourceEvents {
  resource: string;
  /** The latest event name, `entry.updated`, or `path:<resource>` when only the URL path named it. */
  event: string;
  /** How many events of this resource the batch holds. */
  count: number;
  /** When the receiver took the latest of them (ms since the epoch). */
  at: number;
}

/** The changes workflow's per-resource bookkeeping of events not yet synced. */
export interface PendingResource {
  event: string;
  count: number;
  lastAt: number;
}

/** What the changes workflow carries across continue-as-new, and answers to its state query. */
export interface ChangesState {
  pending: Record<string, PendingResource>;
  /** Events signalled to this workflow (its runs before included). */
  received: number;
  /** Events that joined a sync already due instead of starting one. */
  coalesced: number;
  /** Syncs started. */
  syncs: number;
  /** Syncs that ended failed (the schedule picks their changes up). */
  failedSyncs: number;
  /** The sync running now, if any. */
  running?: { workflowId: string; resources: string[]; startedAt: number };
}

export interface ChangesInput {
  /** The sync every batch starts: its resources, mode and trigger are set per batch. */
  sync: Omit<SyncInput, 'resources' | 'mode' | 'trigger'>;
  /** WEBHOOK_DEBOUNCE: at most one sync starts per this many ms. */
  debounceMs: number;
  /** A run with no event for this long ends (the next event starts a new one, on the current build). */
  idleMs: number;
  /** Syncs per run before it continues as new (default 200; tests make it small). */
  syncsPerRun?: number;
  /** Carried across continue-as-new. */
  state?: ChangesState;
}

export const emptyChangesState = (): ChangesState => ({
  pending: {},
  received: 0,
  coalesced: 0,
  syncs: 0,
  failedSyncs: 0,
});
