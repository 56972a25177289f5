// The contract between workflows, activities and the client: small facts only. Pages of data never
// pass through here; activities write them to ClickHouse and return counts and cursors.
// Type-only and dependency-free, because workflow code imports it.
import type { ClientConfig, ResourceConfig, RetryConfig, SourceConfig } from './source-config';
import type { RunRules } from './run-rules';

/**
 * - `incremental`: entries in a recent window (cursor, lookback, horizon); lists and years in full.
 * - `reconcile`: the whole entries history from the start date, in parallel windows.
 * - `full_refresh`: like reconcile, and deletions are marked across the whole table.
 */
export type SyncMode = 'incremental' | 'reconcile' | 'full_refresh';

/** The ClickHouse server and database a sync writes to; credentials stay on the worker. */
export interface Destination {
  url: string;
  database: string;
}

/** Run-time choices that are not part of the source configuration. */
export interface RunOptions {
  lookbackDays: number;
  horizonDays: number;
  /** Subtracted from the cursor, so changes recorded just before it are read again. */
  cursorMarginMs: number;
  /** Share of a scope's live rows one run may mark deleted (0..1). */
  maxDeleteShare: number;
  allowMassDelete: boolean;
  /**
   * How long a resource waits for another sync of it into the same destination to finish before it
   * fails (0: at once). Schedules wait, so an incremental run during the nightly reconciliation runs after it.
   */
  lockWaitMs?: number;
  /**
   * Pause before a page whose retries ran out gets its second chance, a new series of attempts later
   * in the same run (default 30 s). See workflows/read-pages.ts.
   */
  secondChanceDelayMs?: number;
  /** How much one page run reads (default PAGE_RUN_BUDGET, domain/page-runs.ts); tests make it small. */
  pageRunBudget?: PageRunBudget;
}

export interface SyncInput {
  /** Validated configuration without secrets (auth holds `${ENV}` references only). */
  config: SourceConfig;
  /** Relative settings the run resolves from its own start time (a schedule's runs stay current). */
  rules?: RunRules;
  /** Who started the run: `hand` (start-sync) or `schedule:<id>`; recorded in sync_runs. */
  trigger?: string;
  /** Names of the resources to sync, a subset of config.resources. */
  resources: string[];
  mode: SyncMode;
  destination: Destination;
  options: RunOptions;
}

/** A window of record start times, bounds inclusive, ISO 8601 UTC. */
export interface TimeWindow {
  since: string;
  until: string;
}

/** One part of a resource that is read as a whole: the list, one partition value, or one window. */
export interface ReadTarget {
  partition?: string;
  window?: TimeWindow;
}

/** What every read of a resource in one run shares. */
export interface ReadContext {
  destination: Destination;
  client: ClientConfig;
  retry: RetryConfig;
  resource: ResourceConfig;
  /**
   * The sync's id: the workflow id of the sync run, not Temporal's run id. Rows and seen ids are
   * stamped with it. Workflows read it from their input through syncIdOf (domain/workflow-ids.ts).
   */
  syncId: string;
}

/** A workflow input that may have been recorded, or sent by an older build, before syncId had its name. */
export interface LegacySyncId {
  /** Former name of `syncId`, in such inputs only (then `syncId` is absent): read both via syncIdOf. */
  runId?: string;
}

/** What one child workflow needs to sync one resource. */
export interface ResourceSyncInput extends ReadContext, LegacySyncId {
  mode: SyncMode;
  options: RunOptions;
  /** Why the table must be built anew before this run writes to it (another key, another column type). */
  rebuildTable?: string[];
}

/** One page (or one unpaged partition) to fetch and write. */
export interface PageRequest extends ReadContext {
  /** Identifies this read attempt: the ids it receives are recorded under it. */
  readId: string;
  target: ReadTarget;
  /** 1-based page; ignored by unpaged endpoints. */
  page: number;
}

/** What reading and writing records counted (a page's, or a read's). */
export interface RecordCounts {
  /** Records read from the responses. */
  records: number;
  /** Rows written: records that were new, changed, or back after a deletion. */
  written: number;
  /** Records identical to what the destination holds: not written again. */
  unchanged: number;
  /** Records older than what the destination holds (by the source's change time): not written. */
  stale: number;
  /** Records kept in the quarantine table because they had no usable primary key. */
  quarantined: number;
  /** Rows whose fields did not all fit their columns (kept, flagged in _shape_errors). */
  shapeWarnings: number;
  /** Attempts beyond the first that requests took (Temporal's retries of page activities). */
  retries: number;
  /**
   * Records past the window's end (the end parameter reaches one unit further, see requestedEnd): the
   * next window holds them, so they are not written here. Absent in results recorded before it existed.
   */
  outside?: number;
}

export interface PageResult extends RecordCounts {
  page: number;
  /** Pages the server says there are; undefined when the response has no page count. */
  countPages?: number;
  countItems?: number;
  /** No page follows this one. */
  last: boolean;
  /** False when reading stopped before the declared end (an empty page, no page count). */
  complete: boolean;
  lastReason: string;
  /** A short fingerprint of the ids on the page, to detect a server repeating a page. */
  fingerprint: string;
  /** Newest value of the incremental cursor field on the page. */
  cursorMax?: string;
  /** The first quarantined records of the page: why, and the record (shortened). */
  quarantineSamples?: string[];
}

/** Facts of one read attempt of one target, from its pages. */
export interface ReadFacts extends RecordCounts {
  pages: number;
  /** The first quarantined records of the read (see PageResult). */
  quarantineSamples?: string[];
  /** Smallest and largest count_items any page declared. */
  countItemsMin?: number;
  countItemsMax?: number;
  complete: boolean;
  incompleteReason?: string;
  cursorMax?: string;
}

/** Where a read stands: enough to resume it (in a new workflow run, or a new page run). */
export interface ReadProgress {
  nextPage: number;
  /** Largest page count any page declared so far. */
  known: number;
  facts: ReadFacts;
  previousFingerprint?: string;
  previousPage?: number;
}

/** How much one page run may read before it ends, so that a later run goes on. */
export interface PageRunBudget {
  /** Records; the run ends after the page that reaches it. */
  records: number;
  /** Seconds from the run's start after which it requests no more pages. */
  seconds: number;
}

/** A run of pages of one read attempt in one activity: from where the read stands, in order. */
export interface PageRunRequest extends ReadContext {
  readId: string;
  target: ReadTarget;
  from: ReadProgress;
  /** Requests in flight at once (the paginator's max_concurrency). */
  concurrency: number;
  budget: PageRunBudget;
}

/** What a page run did: where the read stands now, and, once it is done, the distinct records it saw. */
export interface PageRunResult {
  progress: ReadProgress;
  /** The read reached its last page. */
  done: boolean;
  /** Pages this run read (its retries' included). */
  pages: number;
  /** Distinct keys and records the read received (only when done and complete). */
  seen?: SeenRecords;
}

/** Heartbeat details of a page run: the progress written so far, and the last page read. */
export interface PageRunHeartbeat {
  written: ReadProgress;
  /** The last page read (its rows may still wait in the run's buffer). */
  readThrough: number;
  /** The page an attempt failed at, and the first attempt that failed there. */
  failing?: { page: number; sinceAttempt: number };
  /** The read's last page is written: a retry only counts what the read saw. */
  done?: boolean;
}

/** How one target was read in the end: consistently, or not within the bound (degraded). */
export interface PartOutcome {
  target: ReadTarget;
  label: string;
  /** The read attempt this outcome rests on. */
  readId: string;
  consistent: boolean;
  /** Why the last attempt was not consistent. */
  reason?: string;
  records: number;
  cursorMax?: string;
  /** Records that shared their key with another record of the read, but not its content. */
  collisions?: number;
}

/** What reading one target (with its re-reads) returns to the resource workflow. */
export interface PartResult {
  outcomes: PartOutcome[];
  /** Every re-read, with the reason. */
  rereads: string[];
  totals: ResourceTotals;
  /** The first quarantined records of the part's reads (see PageResult). */
  quarantineSamples?: string[];
}

/** What the records a read received say about its consistency (from the seen ids it recorded). */
export interface SeenRecords {
  /** Distinct keys. */
  ids: number;
  /** Distinct records: a key with two different contents counts twice. */
  records: number;
}

/** One read of a resource in a run, as the key collision check needs it. */
export interface ReadOfRun {
  readId: string;
  target: ReadTarget;
}

export interface KeyCollisionsRequest extends ReadContext {
  /** The consistent reads of the run: records of different content that share a key among them collide. */
  reads: ReadOfRun[];
}

export interface KeyCollisionsResult {
  /** Keys that more than one record of the run had, as the seen ids say. */
  suspected: number;
  /** Of those, keys whose records were read again and differ: every one of them went to quarantine. */
  confirmed: number;
  /** Records put in quarantine. */
  quarantined: number;
  /** The first confirmed keys, described (`id 7: 2 records, in 2024 page 1 and 2025 page 1`). */
  examples: string[];
}

export type DeletionScope =
  | { kind: 'all' }
  | { kind: 'partitions'; values: string[] }
  /** `days`: the column is a date and the windows whole days (a `date` window). */
  | { kind: 'windows'; column: string; windows: TimeWindow[]; days?: boolean };

export interface MarkDeletionsRequest {
  destination: Destination;
  resource: ResourceConfig;
  syncId: string;
  scope: DeletionScope;
  /** The consistent reads that cover the scope: what they did not receive has vanished. */
  readIds: string[];
  /** Records the consistent reads of the scope received: 0 means the read came back empty. */
  recordsRead: number;
  maxDeleteShare: number;
  allowMassDelete: boolean;
}

export interface DeletionResult {
  /** Live rows in the scope before marking. */
  live: number;
  /** Rows in the scope that no read of this run saw. */
  candidates: number;
  marked: number;
  /** Candidates not marked because they were more than the guard allows. */
  heldBack: number;
  heldBackReason?: string;
  /**
   * Keys the consistent reads received with more than one content (a key collision). Absent in
   * results recorded before it was counted.
   */
  collidingKeys?: number;
}

export interface CursorState {
  resource: string;
  /** Newest `cursor_field` value of the last complete read. */
  cursor: string;
  window: TimeWindow;
  syncId: string;
  mode: SyncMode;
}

export interface ResourceTotals {
  pages: number;
  records: number;
  /** Rows written (new or changed records). */
  rows: number;
  unchanged: number;
  stale: number;
  quarantined: number;
  shapeWarnings: number;
  /** Records marked deleted because the read no longer saw them. */
  deleted: number;
  /** Deletions the mass-deletion guard did not write. */
  heldBack: number;
  retries: number;
}

/** What a resource workflow's progress query answers: its sync's id and the totals so far. */
export interface ResourceProgress extends ResourceTotals {
  syncId: string;
  partsDone: number;
  parts: number;
}

export interface ResourceResult extends ResourceTotals {
  /** The window of entry start times read (windowed resources). */
  window?: TimeWindow;
  /** The cursor after the run (windowed resources), unchanged when the read was not complete. */
  cursor?: string;
  rereads: string[];
  /** Parts that could not be read consistently: nothing was marked deleted in them. */
  degraded: string[];
  notes: string[];
}

export interface ResourceSummary extends ResourceResult {
  resource: string;
  ok: boolean;
  cancelled?: boolean;
  error?: string;
  startedAt: number;
  finishedAt: number;
}

/** `degraded`: every resource finished, but some part was not read consistently or deletions were held back. */
export type SyncOutcome = 'ok' | 'degraded' | 'failed' | 'cancelled';

export interface SyncSummary {
  syncId: string;
  mode: SyncMode;
  destination: Destination;
  outcome: SyncOutcome;
  resources: ResourceSummary[];
  startedAt: number;
  finishedAt: number;
}
