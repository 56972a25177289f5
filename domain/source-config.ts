// The engine's input: a declarative REST source in the seed's vocabulary (client, resource_defaults,
// resources[] with endpoint.path, data_selector, paginator, partition_router, incremental_sync).
// Type-only and dependency-free: workflow code imports it, and webpack bundles it into the sandbox.

/** Column types a resource may declare; `?` suffix (in JSON) makes a column nullable. */
export type ColumnKind = 'int' | 'float' | 'string' | 'bool' | 'date' | 'datetime';

/**
 * Where a column's value sits in the record when it is not the top-level field named as the column:
 * - `object`: a field of a nested object (`night.percent`: `record.night.percent`);
 * - `list`: a field of each element of a nested list (`intervals.time_since`: an Array column with one
 *   value per element; the columns of one list line up, so `ARRAY JOIN intervals` reads them as rows).
 */
export interface NestedPath {
  via: 'object' | 'list';
  /** The record's field that holds the object or the list (the column name's part before the dot). */
  parent: string;
  /** The field inside it (the part after the dot). */
  field: string;
}

export interface ColumnSpec {
  kind: ColumnKind;
  /** The value may be null (for a list column: each element's value). */
  nullable: boolean;
  /** `int[]` and the like: a list of plain values in the record's field, stored as an Array column. */
  array?: boolean;
  nested?: NestedPath;
}

/**
 * Secrets are written as `${ENV_VAR}` references and resolved only inside activities on the worker,
 * so the configuration can travel through Temporal's history without them.
 */
export type AuthConfig =
  | { type: 'basic'; username: string; password: string }
  | { type: 'clockodo_headers'; user: string; api_key: string };

export interface RetryConfig {
  /** Statuses retried by Temporal's retry policy. */
  retry_on_status: number[];
  /** Statuses that fail the run at once (non-retryable). Others outside both lists are retried. */
  fail_fast_on_status: number[];
  max_retries: number;
  backoff_factor: number;
  initial_interval_seconds: number;
  max_interval_seconds: number;
  /** Honour a `Retry-After` header for the next delay. */
  respect_retry_after: boolean;
}

export interface ClientConfig {
  base_url: string;
  auth: AuthConfig;
  headers: Record<string, string>;
  request_timeout_seconds: number;
}

export interface PaginatorConfig {
  /** The seed calls its page-number paginator "cursor": the cursor is the page number. */
  type: 'cursor' | 'page_number';
  cursor_param: string;
  /** Page size asked for (sent as limit_param); the server may cap it: `paging` is what counts. */
  limit: number;
  limit_param: string;
  /** e.g. `response.paging.count_pages == response.paging.current_page` */
  stop_condition: string;
  /** Where the page count lives, so pages 2..N can be read concurrently once page 1 is in. */
  count_pages_path: string;
  /** Pages read at once after page 1. */
  max_concurrency: number;
}

export interface ListPartitionRouter {
  type: 'list';
  values: string[];
  /** The setting the values came from when written as exactly `${NAME}` (a run may re-resolve it). */
  values_setting?: string;
  cursor_field: string;
  request_option: { inject_into: 'request_parameter'; field_name: string };
  /**
   * A column that takes the partition value when a record's field is missing or null (e.g. the year of
   * a per-year report whose rows do not say which year they are for).
   */
  record_field?: string;
}

export interface DatetimeIncrementalSync {
  /** `datetime` sends the window's bounds as ISO datetimes; `date` as whole days (YYYY-MM-DD). */
  type: 'datetime' | 'date';
  /**
   * Field compared to find changed records (no server-side filter exists for it). Without one, the
   * cursor is the run's start time and each run re-reads its lookback.
   */
  cursor_field?: string;
  /** ISO date or datetime (UTC); the window's lower bound. */
  start_datetime: string;
  /** The setting start_datetime came from when written as exactly `${NAME}`. */
  start_setting?: string;
  /** `now` (the run's start, Temporal's clock) or an ISO datetime. */
  end_datetime: string;
  /**
   * Nothing before this is read, whatever start_datetime says: the API documents no valid data before
   * it (Clockodo's work times: 2023-08-21). ISO date or datetime.
   */
  min_datetime?: string;
  /** Request parameters that carry the window. */
  start_param: string;
  end_param: string;
  /** Record field the window filters on (decides which stored rows a read of the window covers). */
  window_field: string;
  /** The window is read in slices of this many days (bounds each page sequence and the history). */
  slice_days: number;
  /** Slices read at once, each by a child workflow of its own. */
  parallel_windows: number;
}

export interface EndpointConfig {
  path: string;
  /**
   * Where the records are in a response (dotted path). Several when public sources disagree on the key
   * (Clockodo's docs pages and its SDK sometimes do): the first one the response has is read.
   */
  data_selector: string[];
  params: Record<string, string>;
  paginator?: PaginatorConfig;
  partition_router?: ListPartitionRouter;
  incremental_sync?: DatetimeIncrementalSync;
}

export interface ResourceConfig {
  name: string;
  /** The fields that identify a record: one int field, or several (a composite key). */
  primary_key: string[];
  /**
   * The table column that holds the key: the primary key itself when it is one int field, else
   * `_key`, a 52-bit hash of the key fields' values (see domain/record-key.ts).
   */
  key_column: string;
  write_disposition: 'merge';
  endpoint: EndpointConfig;
  /** Typed columns, named as the API names the fields. The whole record is kept as JSON as well. */
  columns: Record<string, ColumnSpec>;
}

/** A validated configuration with every non-secret `${...}` reference resolved. */
export interface SourceConfig {
  client: ClientConfig;
  retry: RetryConfig;
  resources: ResourceConfig[];
}

/** Where Clockodo's paged lists say how many pages there are. */
export const DEFAULT_COUNT_PAGES_PATH = 'paging.count_pages';
