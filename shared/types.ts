// The contract between workflows, activities and the client: small facts only. Pages of data never
// pass through here; activities write them to ClickHouse and return counts and cursors.
// Type-only and dependency-free, because workflow code imports it.
import type { ClientConfig, ResourceConfig, RetryConfig, SourceConfig } from '../config/source-config-types';

/** `full_refresh` re-reads everything and marks as deleted every stored record the read did not see. */
export type SyncMode = 'incremental' | 'full_refresh';

export interface SyncInput {
  /** Validated configuration without secrets (auth holds `${ENV}` references only). */
  config: SourceConfig;
  /** Names of the resources to sync, a subset of config.resources. */
  resources: string[];
  mode: SyncMode;
  /**
   * The destination the run writes to (the task queue's name: a queue's workers share one). Child
   * workflow ids derive from it, so two syncs of one resource into one destination cannot overlap.
   */
  scope: string;
}

/** A window of record start times, bounds inclusive, ISO 8601 UTC. */
export interface TimeWindow {
  since: string;
  until: string;
}

/** What one child workflow needs to sync one resource. */
export interface ResourceSyncInput {
  client: ClientConfig;
  retry: RetryConfig;
  resource: ResourceConfig;
  mode: SyncMode;
  /** The parent sync's workflow id, stamped on every row. */
  runId: string;
  /** The parent's start in epoch ms: the merge version of every row this sync writes. */
  runVersion: number;
  /** Set when the run continues as new: where to pick up, and what was done so far. */
  resume?: ResourceResume;
}

export interface ResourceResume {
  /** Window slices still to read (incremental resources). */
  slices: TimeWindow[];
  /** Page to start the first remaining slice at. */
  nextPage: number;
  totals: ResourceTotals;
}

/** One page (or one unpaged partition) to fetch and write. */
export interface PageRequest {
  client: ClientConfig;
  retry: RetryConfig;
  resource: ResourceConfig;
  runId: string;
  runVersion: number;
  /** 1-based page; ignored by unpaged endpoints. */
  page: number;
  partition?: string;
  window?: TimeWindow;
}

export interface PageResult {
  page: number;
  /** Records read from the response. */
  records: number;
  /** Rows written to the resource table. */
  rows: number;
  /** Records kept in the quarantine table because they had no usable primary key. */
  quarantined: number;
  /** Rows whose fields did not all fit their columns (kept, flagged in _shape_errors). */
  shapeWarnings: number;
  /** Pages the server says there are; undefined when the response has no page count. */
  countPages?: number;
  countItems?: number;
  /** No page follows this one. */
  last: boolean;
  lastReason: string;
  /** A short fingerprint of the ids on the page, to detect a server repeating a page. */
  fingerprint: string;
  /** Bounds of the incremental cursor field among the page's records. */
  cursorMin?: string;
  cursorMax?: string;
}

export type DeletionScope =
  | { kind: 'all' }
  | { kind: 'partitions'; values: string[] }
  | { kind: 'window'; column: string; window: TimeWindow };

export interface MarkDeletionsRequest {
  resource: ResourceConfig;
  runId: string;
  runVersion: number;
  scope: DeletionScope;
}

export interface ResourceTotals {
  pages: number;
  records: number;
  rows: number;
  quarantined: number;
  shapeWarnings: number;
  /** Records marked deleted because the read no longer saw them. */
  deleted: number;
  cursorMin?: string;
  cursorMax?: string;
}

/** What a resource workflow's `progress` query answers: its sync's id and the totals so far. */
export interface ResourceProgress extends ResourceTotals {
  runId: string;
}

export interface ResourceSummary extends ResourceTotals {
  resource: string;
  ok: boolean;
  error?: string;
  startedAt: number;
  finishedAt: number;
}

export interface SyncSummary {
  runId: string;
  mode: SyncMode;
  resources: ResourceSummary[];
  startedAt: number;
  finishedAt: number;
}

export const emptyTotals = (): ResourceTotals => ({
  pages: 0,
  records: 0,
  rows: 0,
  quarantined: 0,
  shapeWarnings: 0,
  deleted: 0,
});

/** Two sets of totals added up (cursor bounds compare as ISO strings). */
export function sumTotals(a: ResourceTotals, b: ResourceTotals): ResourceTotals {
  return {
    pages: a.pages + b.pages,
    records: a.records + b.records,
    rows: a.rows + b.rows,
    quarantined: a.quarantined + b.quarantined,
    shapeWarnings: a.shapeWarnings + b.shapeWarnings,
    deleted: a.deleted + b.deleted,
    cursorMin: minIso(a.cursorMin, b.cursorMin),
    cursorMax: maxIso(a.cursorMax, b.cursorMax),
  };
}

/** Adds a page's facts to running totals. */
export function addPage(t: ResourceTotals, p: PageResult): ResourceTotals {
  return sumTotals(t, { ...p, pages: 1, deleted: 0 });
}

function minIso(a?: string, b?: string) {
  return a === undefined ? b : b === undefined ? a : a < b ? a : b;
}
function maxIso(a?: string, b?: string) {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

/** One id per resource and scope: a second sync of a resource cannot start while one runs (the id is taken). */
export const resourceWorkflowId = (scope: string, resource: string) => `clockodo-sync/${scope}/${resource}`;
