// The source configuration's shape, once, in zod: the file as written (`sourceConfigFileSchema`, also
// published as config/source-config.schema.json for editors) and the validated form the engine runs on
// (`sourceConfigSchema`, whose inferred types domain/source-config.ts exports). Both are built from the
// same field definitions; the file form adds only what a file may abbreviate (one key field for a list,
// `"int?"` for a column, a comma-separated list of years) and the paginator's deprecated keys.
// Rules across fields (references, keys against columns, window columns) are code, in
// config/validate-source-config.ts: JSON Schema cannot say them.
// Never imported by workflow code, which imports only the types (zod stays out of the workflow bundle).
import { z } from 'zod';
import { WHOLE_REFERENCE } from './names';
import { DEFAULT_BASE_PAGE, DEFAULT_TOTAL_ITEMS_PATH, DEFAULT_TOTAL_PATH } from './paging';

/** A value for a message: its JSON, shortened. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export const DEFAULT_PAGE_LIMIT = 1000;
/** Clockodo pages hold at most 1000; a bigger ask is a typo, and 10^9 would be taken as one. */
export const MAX_PAGE_LIMIT = 10_000;
/** An hour: Node's timers overflow past 24.8 days (a request would then abort after 1 ms). */
const MAX_TIMEOUT_SECONDS = 3600;
const MAX_INTERVAL_SECONDS = 3600;
export const COLUMN_KINDS = ['int', 'float', 'string', 'bool', 'date', 'datetime'] as const;
/** Column names go into DDL and name the column's files: at most 64 characters. */
export const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

// --- Field schemas whose messages name the rule and what was found; "is required" when missing. ---

type Reason = (input: unknown) => string;
const reason = (why: Reason) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : why(iss.input)),
});
const str = () => z.string(reason((v) => `must be a string, got ${describe(v)}`));
const int = (min: number, max: number) => {
  const r = reason((v) => `must be an integer from ${min} to ${max}, got ${describe(v)}`);
  return z.int(r).min(min, r).max(max, r);
};
const num = (min: number, max: number) => {
  const r = reason((v) => `must be a number from ${min} to ${max}, got ${describe(v)}`);
  return z.number(r).min(min, r).max(max, r);
};
const oneOf = <const T extends readonly [string, ...string[]]>(choices: T) =>
  z.enum(
    choices,
    reason((v) => `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(v)}`),
  );

/** An object of the file: unknown keys are refused (a typo must not pass silently); `$comment` is free. */
function fileObject<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(
    { ...shape, $comment: z.string().optional() },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `unknown field (allowed here: ${allowed})`
          : iss.input === undefined
            ? 'is required'
            : `must be an object, got ${describe(iss.input)}`,
    },
  );
}

// --- client and retry ---

const secretReference = () =>
  str().regex(WHOLE_REFERENCE, {
    error:
      'must be a reference to an environment variable such as "${CLOCKODO_API_KEY}": literal secrets would travel through Temporal\'s history',
  });
const basicAuth = { type: z.literal('basic'), username: secretReference(), password: secretReference() };
const headerAuth = {
  type: z.literal('clockodo_headers'),
  user: secretReference(),
  api_key: secretReference(),
};
const AUTH_TYPES = `must be one of "basic", "clockodo_headers"`;
const authError = {
  error: (iss: { code?: string; input?: unknown }) =>
    iss.input === undefined
      ? 'is required'
      : iss.code === 'invalid_union'
        ? `${AUTH_TYPES}, got ${describe((iss.input as { type?: unknown }).type)}`
        : `must be an object, got ${describe(iss.input)}`,
};

const statusList = () =>
  z
    .array(
      int(100, 599),
      reason((v) => `must be a list of HTTP status codes, got ${describe(v)}`),
    )
    .meta({ description: 'HTTP status codes' });
const retryShape = {
  /** Statuses retried by Temporal's retry policy. */
  retry_on_status: statusList().default(() => [429, 500, 502, 503, 504]),
  /** Statuses that fail the run at once (non-retryable). Others outside both lists are retried. */
  fail_fast_on_status: statusList().default(() => [400, 401, 403, 404]),
  max_retries: int(0, 100).default(3),
  backoff_factor: num(1, 10).default(2),
  initial_interval_seconds: num(0.001, MAX_INTERVAL_SECONDS).default(1),
  max_interval_seconds: num(0.001, MAX_INTERVAL_SECONDS).default(60),
  /** Honour a `Retry-After` header for the next delay. */
  respect_retry_after: z.boolean({ error: 'must be true or false' }).default(true),
};

const clientShape = {
  base_url: str(),
  request_timeout_seconds: num(1, MAX_TIMEOUT_SECONDS).default(60),
};
/** Header and parameter values: text, or a number or true/false written as such. */
const scalarText = () =>
  z.union(
    [str(), z.number(), z.boolean()],
    reason((v) => `must be a string, got ${describe(v)}`),
  );

// --- paginator (dlt's PageNumberPaginator, plus the seed's stop condition) ---

const paginatorShape = {
  /** The query parameter that carries the page number. */
  page_param: str(),
  /** The number of the first page (Clockodo's is 1). */
  base_page: int(0, 1).default(DEFAULT_BASE_PAGE),
  /** Page size asked for (sent as limit_param); the server may cap it: the totals are what count. */
  limit: int(1, MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  // Without items_per_page servers answer small pages (50 entries is reported): always ask for 1000.
  limit_param: str().default('items_per_page'),
  /** e.g. `response.paging.count_pages == response.paging.current_page` */
  stop_condition: str(),
  /** Where the page count lives, so pages 2..N can be read concurrently once page 1 is in. */
  total_path: str().default(DEFAULT_TOTAL_PATH),
  /** Where the item count lives (a part's count is checked again after it was read). */
  total_items_path: str().default(DEFAULT_TOTAL_ITEMS_PATH),
  /** Pages read at once after page 1. */
  max_concurrency: int(1, 16).default(4),
};
const deprecated = (instead: string) =>
  str()
    .optional()
    .meta({ deprecated: true, description: `deprecated: use ${instead}` });

// --- partitions and windows ---

const requestOptionShape = {
  inject_into: oneOf(['request_parameter']),
  field_name: str(),
};
const partitionShape = {
  type: oneOf(['list']),
  cursor_field: str(),
  /**
   * A column that takes the partition value when a record's field is missing or null (e.g. the year of
   * a per-year report whose rows do not say which year they are for).
   */
  record_field: str().optional(),
};
const windowShape = {
  /** `datetime` sends the window's bounds as ISO datetimes; `date` as whole days (YYYY-MM-DD). */
  type: oneOf(['datetime', 'date']),
  /**
   * Field compared to find changed records (no server-side filter exists for it). Without one, the
   * cursor is the run's start time and each run re-reads its lookback.
   */
  cursor_field: str().optional(),
  /** ISO date or datetime (UTC); the window's lower bound. */
  start_datetime: str(),
  /** `now` (the run's start, Temporal's clock) or an ISO datetime. */
  end_datetime: str().default('now'),
  /** Nothing before this is read, whatever start_datetime says (the API documents no data before it). */
  min_datetime: str().optional(),
  /** Request parameters that carry the window. */
  start_param: str().default('time_since'),
  end_param: str().default('time_until'),
  /** Record field the window filters on (decides which stored rows a read of the window covers). */
  window_field: str().default('time_since'),
  /** The window is read in slices of this many days (bounds each page sequence and the history). */
  slice_days: int(1, 366).default(92),
  /** Slices read at once, each by a child workflow of its own. */
  parallel_windows: int(1, 16).default(4),
};

// --- columns ---

const NAME_RULE = 'must start with a letter and hold only letters, digits and _, at most 64 characters';
const columnType = (allowArray: boolean) => {
  const forms = allowArray ? ' (with ? for nullable, [] for a list of values)' : ' (with ? for nullable)';
  const why = reason((v) => `must be one of ${COLUMN_KINDS.join(', ')}${forms}, got ${describe(v)}`);
  return z
    .string(why)
    .regex(new RegExp(`^(${COLUMN_KINDS.join('|')})${allowArray ? '(\\?|\\[\\])?' : '\\??'}$`), why);
};
/** A record keyed by names: a bad name is reported at its own path, with the rule. */
const namedRecord = <V extends z.ZodType>(what: string, value: V) =>
  z.record(z.string().regex(COLUMN_NAME), value, {
    error: (iss) =>
      iss.code === 'invalid_key'
        ? `${what} ${NAME_RULE}`
        : iss.input === undefined
          ? 'is required'
          : `must be an object, got ${describe(iss.input)}`,
  });
const nestedFields = () => namedRecord('field names', columnType(false));
const fileColumn = z.union(
  [
    columnType(true),
    fileObject({
      /** Fields of a nested object, each a column named `<name>.<field>`. */
      object: nestedFields().optional(),
      /** Fields of each element of a nested list, each an Array column named `<name>.<field>`. */
      list: nestedFields().optional(),
    }),
  ],
  reason(
    (v) =>
      `must be one of ${COLUMN_KINDS.join(', ')} (with ? for nullable, [] for a list of values), got ${describe(v)}`,
  ),
);

/**
 * Where a column's value sits in the record when it is not the top-level field named as the column:
 * - `object`: a field of a nested object (`night.percent`: `record.night.percent`);
 * - `list`: a field of each element of a nested list (`intervals.time_since`: an Array column with one
 *   value per element; the columns of one list line up, so `ARRAY JOIN intervals` reads them as rows).
 */
export const nestedPathSchema = z.strictObject({
  via: z.enum(['object', 'list']),
  /** The record's field that holds the object or the list (the column name's part before the dot). */
  parent: z.string(),
  /** The field inside it (the part after the dot). */
  field: z.string(),
});
export const columnSpecSchema = z.strictObject({
  kind: z.enum(COLUMN_KINDS),
  /** The value may be null (for a list column: each element's value). */
  nullable: z.boolean(),
  /** `int[]` and the like: a list of plain values in the record's field, stored as an Array column. */
  array: z.boolean().optional(),
  nested: nestedPathSchema.optional(),
});

// --- resources ---

const keyFields = () => {
  const r = reason((v) => `must be a field name or a non-empty list of field names, got ${describe(v)}`);
  return z.union([str().min(1, r), z.array(str().min(1, r), r).min(1, r)], r);
};
const resourceName = () =>
  str().regex(/^[a-z][a-z0-9_]*$/, {
    error: (iss) =>
      `must be lower-case letters, digits and _ (it names the table), got ${describe(iss.input)}`,
  });
const writeDisposition = () => oneOf(['merge']);

// --- the validated form: what the engine runs on and a workflow's input holds ---

export const retrySchema = z.strictObject(retryShape);
export const authSchema = z.discriminatedUnion('type', [
  z.strictObject(basicAuth),
  z.strictObject(headerAuth),
]);
export const clientSchema = z.strictObject({
  ...clientShape,
  /**
   * Secrets are written as `${ENV_VAR}` references and resolved only inside activities on the worker,
   * so the configuration can travel through Temporal's history without them.
   */
  auth: authSchema,
  headers: z.record(z.string(), z.string()),
});
export const paginatorSchema = z.strictObject({ type: z.literal('page_number'), ...paginatorShape });
export const partitionRouterSchema = z.strictObject({
  ...partitionShape,
  values: z.array(z.string()),
  /** The setting the values came from when written as exactly `${NAME}` (a run may re-resolve it). */
  values_setting: z.string().optional(),
  request_option: z.strictObject(requestOptionShape),
});
export const incrementalSyncSchema = z.strictObject({
  ...windowShape,
  /** The setting start_datetime came from when written as exactly `${NAME}`. */
  start_setting: z.string().optional(),
});
export const endpointSchema = z.strictObject({
  path: z.string(),
  /**
   * Where the records are in a response (dotted paths). Several when public sources disagree on the
   * key (Clockodo's docs pages and its SDK sometimes do): the first one the response has is read.
   */
  data_selector: z.array(z.string()).min(1),
  params: z.record(z.string(), z.string()),
  paginator: paginatorSchema.optional(),
  partition_router: partitionRouterSchema.optional(),
  incremental_sync: incrementalSyncSchema.optional(),
});
export const resourceSchema = z.strictObject({
  name: resourceName(),
  /** The fields that identify a record: one int field, or several (a composite key). */
  primary_key: z.array(z.string()).min(1),
  /**
   * The table column that holds the key: the primary key itself when it is one int field, else
   * `_key`, a 52-bit hash of the key fields' values (see domain/record-key.ts).
   */
  key_column: z.string(),
  write_disposition: writeDisposition(),
  endpoint: endpointSchema,
  /** Typed columns, named as the API names the fields. The whole record is kept as JSON as well. */
  columns: z.record(z.string(), columnSpecSchema),
});
/** A validated configuration with every non-secret `${...}` reference resolved. */
export const sourceConfigSchema = z.strictObject({
  client: clientSchema,
  retry: retrySchema,
  resources: z.array(resourceSchema),
});

// --- the file as written ---

export const fileRetrySchema = fileObject(retryShape);
export const fileClientSchema = fileObject({
  ...clientShape,
  auth: z.discriminatedUnion('type', [fileObject(basicAuth), fileObject(headerAuth)], authError),
  headers: z.record(z.string(), scalarText()).default(() => ({})),
});
export const filePaginatorSchema = fileObject({
  ...paginatorShape,
  type: oneOf(['page_number', 'cursor']).meta({
    description: '"cursor" is deprecated: in dlt\'s vocabulary a cursor paginator follows a token',
  }),
  // Required, but old files name it cursor_param: the validator checks it once the keys are renamed.
  page_param: str().optional(),
  cursor_param: deprecated('page_param'),
  count_pages_path: deprecated('total_path'),
});
export const filePartitionRouterSchema = fileObject({
  ...partitionShape,
  /** A list, or a comma-separated string such as `${SYNC_YEARS}`. */
  values: z.union(
    [
      str(),
      z.array(
        z.union(
          [z.string(), z.number()],
          reason((v) => `must be a string or a number, got ${describe(v)}`),
        ),
      ),
    ],
    reason((v) => `must be a list or a comma-separated string, got ${describe(v)}`),
  ),
  request_option: fileObject(requestOptionShape),
});
export const fileIncrementalSyncSchema = fileObject(windowShape);
export const fileColumnsSchema = namedRecord('column names', fileColumn);
export const fileEndpointSchema = fileObject({
  path: str(),
  /** One dotted path to the records, or a list of them (the first the response has is read). */
  data_selector: z.union(
    [str(), z.array(str()).min(1, { error: 'must name at least one path' })],
    reason((v) => `must be a path or a list of paths, got ${describe(v)}`),
  ),
  params: z.record(z.string(), scalarText()).default(() => ({})),
  paginator: filePaginatorSchema.optional(),
  partition_router: filePartitionRouterSchema.optional(),
  incremental_sync: fileIncrementalSyncSchema.optional(),
});
export const fileResourceDefaultsSchema = fileObject({
  primary_key: keyFields().optional(),
  write_disposition: writeDisposition().optional(),
});
export const fileResourceSchema = fileObject({
  name: resourceName(),
  /** One field name or a list of them; resource_defaults' when not given. */
  primary_key: keyFields().optional(),
  write_disposition: writeDisposition().optional(),
  endpoint: fileEndpointSchema,
  /** `"int"`, `"int?"` (nullable), `"int[]"` (a list of values), or `{"object": {...}}` / `{"list": {...}}`. */
  columns: fileColumnsSchema,
});
export const sourceConfigFileSchema = fileObject({
  /** The JSON Schema an editor checks the file against (config/source-config.schema.json). */
  $schema: z.string().optional(),
  client: fileClientSchema,
  retry: fileRetrySchema.optional(),
  resource_defaults: fileResourceDefaultsSchema.optional(),
  resources: z
    .array(fileResourceSchema, { error: 'must be a non-empty list' })
    .min(1, { error: 'must be a non-empty list' }),
});
