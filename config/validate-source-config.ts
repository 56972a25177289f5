// Validates a raw source configuration (the seed's shape) and resolves its `${VAR}` references,
// before any work starts. Every problem is reported with the field it concerns.
import { parseStopCondition, StopConditionSyntaxError } from './stop-condition';
import { normalizeBaseUrl, secretNames } from './worker-credentials';
import { referenceRefusal } from './setting-references';
import { endpointPathProblem } from './request-url';
import { resourceNameProblem } from '../domain/table-names';
import { COMPOSITE_KEY_COLUMN } from '../domain/record-key';
// The same reading of a datetime as the workflow's window (no zone means UTC).
import { parseUtc } from '../domain/windows';
import { isExistingDate, YEAR_RANGE } from './calendar';
import type {
  AuthConfig,
  ColumnKind,
  ColumnSpec,
  DatetimeIncrementalSync,
  EndpointConfig,
  ListPartitionRouter,
  PaginatorConfig,
  ResourceConfig,
  RetryConfig,
  SourceConfig,
} from '../domain/source-config';
import { DEFAULT_COUNT_PAGES_PATH } from '../domain/source-config';

export interface ConfigIssue {
  field: string;
  problem: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid source configuration (${source}):\n` +
        issues.map((i) => `  - ${i.field}: ${i.problem}`).join('\n'),
    );
  }
}

type Obj = Record<string, unknown>;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** The setting a value is, when it is exactly one `${NAME}` reference. */
const settingOf = (value: unknown) =>
  typeof value === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1] : undefined;
const COLUMN_KINDS: ColumnKind[] = ['int', 'float', 'string', 'bool', 'date', 'datetime'];
export { isExistingDate, YEAR_RANGE };

const DEFAULT_PAGE_LIMIT = 1000;
/** Clockodo pages hold at most 1000; a bigger ask is a typo, and 10^9 would be taken as one. */
const MAX_PAGE_LIMIT = 10_000;
/** An hour: Node's timers overflow past 24.8 days (a request would then abort after 1 ms). */
const MAX_TIMEOUT_SECONDS = 3600;
const MAX_INTERVAL_SECONDS = 3600;

export const DEFAULT_RETRY: RetryConfig = {
  retry_on_status: [429, 500, 502, 503, 504],
  fail_fast_on_status: [400, 401, 403, 404],
  max_retries: 3,
  backoff_factor: 2,
  initial_interval_seconds: 1,
  max_interval_seconds: 60,
  respect_retry_after: true,
};

/** Collects issues while walking the raw configuration, so one run reports all of them. */
class Checker {
  readonly issues: ConfigIssue[] = [];
  constructor(
    private readonly vars: Record<string, string>,
    /** The worker's secrets: never resolved here (see config/setting-references.ts). */
    private readonly secretNames: readonly string[],
  ) {}

  /** Fields whose value came from settings, by the variables it came from: errors name them too. */
  private readonly origins = new Map<string, string[]>();

  fail(field: string, problem: string): undefined {
    const from = this.origins.get(field);
    const issue = { field, problem: from ? `${problem} (from ${from.join(', ')})` : problem };
    // A shared value (resource_defaults) is checked once per resource but reported once.
    if (!this.issues.some((i) => i.field === issue.field && i.problem === issue.problem))
      this.issues.push(issue);
    return undefined;
  }

  /**
   * A value for a message: the value itself, or for a field filled from settings only the settings'
   * names. No message repeats a value that came from a reference.
   */
  shown(field: string, value: unknown): string {
    const from = this.origins.get(field);
    return from ? 'the value of the setting' : describe(value);
  }

  /** Whether a field's value came from settings (its messages then do not repeat it). */
  resolved(field: string): boolean {
    return this.origins.has(field);
  }

  object(value: unknown, field: string, allowed: string[], required = true): Obj | undefined {
    if (value === undefined && !required) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.fail(
        field,
        value === undefined ? 'is required' : `must be an object, got ${describe(value)}`,
      );
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key) && key !== '$comment') {
        this.fail(`${field}.${key}`, `unknown field (allowed here: ${allowed.join(', ')})`);
      }
    }
    return value as Obj;
  }

  /** A string with `${VAR}` references replaced; unknown variables are reported. */
  string(
    value: unknown,
    field: string,
    opts: { required?: boolean; resolve?: boolean } = {},
  ): string | undefined {
    const { required = true, resolve = true } = opts;
    if (value === undefined) return required ? this.fail(field, 'is required') : undefined;
    if (typeof value !== 'string') return this.fail(field, `must be a string, got ${describe(value)}`);
    if (!resolve) return value;
    let missing: string | undefined;
    const used: string[] = [];
    const refused: string[] = [];
    const out = value.replace(REFERENCE, (_, name: string) => {
      const refusal = referenceRefusal(name, this.secretNames);
      if (refusal !== undefined) {
        refused.push(refusal);
        return '';
      }
      if (this.vars[name] === undefined) missing = name;
      used.push(name);
      return this.vars[name] ?? '';
    });
    if (refused.length) {
      for (const refusal of new Set(refused)) this.fail(field, refusal);
      return undefined;
    }
    if (used.length) this.origins.set(field, [...new Set(used)]);
    if (missing)
      return this.fail(field, `refers to \${${missing}}, which is not set in the environment or .env`);
    if (required && out.trim() === '') return this.fail(field, 'must not be empty');
    return out;
  }

  integer(value: unknown, field: string, min: number, max: number, fallback?: number): number | undefined {
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) return this.fail(field, 'is required');
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(field, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  }

  number(value: unknown, field: string, min: number, max: number, fallback: number): number | undefined {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !isFinite(value) || value < min || value > max) {
      return this.fail(field, `must be a number from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, choices: readonly T[], fallback?: T): T | undefined {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || !choices.includes(value as T)) {
      return this.fail(
        field,
        `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(value)}`,
      );
    }
    return value as T;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Secrets must stay references: a literal would be written into Temporal's history with the config.
 * And workers resolve only their allow-list, so another name is reported here, before anything starts.
 */
function checkSecretReference(
  c: Checker,
  value: unknown,
  field: string,
  allowed: string[],
): string | undefined {
  const text = c.string(value, field, { resolve: false });
  if (text === undefined) return undefined;
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(text);
  if (!m) {
    return c.fail(
      field,
      'must be a reference to an environment variable such as "${CLOCKODO_API_KEY}": literal secrets would travel through Temporal\'s history',
    );
  }
  if (!allowed.includes(m[1])) {
    return c.fail(
      field,
      `refers to \${${m[1]}}, which workers do not send: they resolve only ${allowed.join(', ')} (add ${m[1]} to WORKER_SECRET_NAMES on the workers)`,
    );
  }
  return text;
}

function checkAuth(c: Checker, raw: unknown, field: string, allowed: string[]): AuthConfig | undefined {
  const type = c.oneOf((raw as Obj | undefined)?.type, `${field}.type`, [
    'basic',
    'clockodo_headers',
  ] as const);
  if (type === 'basic') {
    const o = c.object(raw, field, ['type', 'username', 'password']);
    if (!o) return undefined;
    const username = checkSecretReference(c, o.username, `${field}.username`, allowed);
    const password = checkSecretReference(c, o.password, `${field}.password`, allowed);
    return username && password ? { type, username, password } : undefined;
  }
  if (type === 'clockodo_headers') {
    const o = c.object(raw, field, ['type', 'user', 'api_key']);
    if (!o) return undefined;
    const user = checkSecretReference(c, o.user, `${field}.user`, allowed);
    const api_key = checkSecretReference(c, o.api_key, `${field}.api_key`, allowed);
    return user && api_key ? { type, user, api_key } : undefined;
  }
  return undefined;
}

function checkStatusList(c: Checker, value: unknown, field: string, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    c.fail(field, `must be a list of HTTP status codes, got ${describe(value)}`);
    return fallback;
  }
  return value as number[];
}

function checkRetry(c: Checker, raw: unknown): RetryConfig {
  const o = c.object(raw, 'retry', Object.keys(DEFAULT_RETRY), false) ?? {};
  const d = DEFAULT_RETRY;
  const retry: RetryConfig = {
    retry_on_status: checkStatusList(c, o.retry_on_status, 'retry.retry_on_status', d.retry_on_status),
    fail_fast_on_status: checkStatusList(
      c,
      o.fail_fast_on_status,
      'retry.fail_fast_on_status',
      d.fail_fast_on_status,
    ),
    max_retries: c.integer(o.max_retries, 'retry.max_retries', 0, 100, d.max_retries) ?? d.max_retries,
    backoff_factor:
      c.number(o.backoff_factor, 'retry.backoff_factor', 1, 10, d.backoff_factor) ?? d.backoff_factor,
    initial_interval_seconds:
      c.number(
        o.initial_interval_seconds,
        'retry.initial_interval_seconds',
        0.001,
        MAX_INTERVAL_SECONDS,
        d.initial_interval_seconds,
      ) ?? d.initial_interval_seconds,
    max_interval_seconds:
      c.number(
        o.max_interval_seconds,
        'retry.max_interval_seconds',
        0.001,
        MAX_INTERVAL_SECONDS,
        d.max_interval_seconds,
      ) ?? d.max_interval_seconds,
    respect_retry_after: d.respect_retry_after,
  };
  if (o.respect_retry_after !== undefined) {
    if (typeof o.respect_retry_after !== 'boolean')
      c.fail('retry.respect_retry_after', 'must be true or false');
    else retry.respect_retry_after = o.respect_retry_after;
  }
  const both = retry.retry_on_status.filter((s) => retry.fail_fast_on_status.includes(s));
  if (both.length)
    c.fail('retry.fail_fast_on_status', `lists ${both.join(', ')}, also in retry.retry_on_status`);
  return retry;
}

function checkPaginator(c: Checker, raw: unknown, field: string): PaginatorConfig | undefined {
  const o = c.object(
    raw,
    field,
    ['type', 'limit', 'cursor_param', 'limit_param', 'stop_condition', 'count_pages_path', 'max_concurrency'],
    false,
  );
  if (!o) return undefined;
  const type = c.oneOf(o.type, `${field}.type`, ['cursor', 'page_number'] as const);
  const cursor_param = c.string(o.cursor_param, `${field}.cursor_param`);
  const stop = c.string(o.stop_condition, `${field}.stop_condition`);
  if (stop !== undefined) {
    try {
      parseStopCondition(stop);
    } catch (e) {
      if (!(e instanceof StopConditionSyntaxError)) throw e;
      // The message quotes the condition: not when it came from a setting.
      c.fail(
        `${field}.stop_condition`,
        c.resolved(`${field}.stop_condition`) ? 'is not a valid stop condition' : e.message,
      );
    }
  }
  // Without items_per_page servers answer small pages (50 entries is reported): always ask for 1000.
  const limit = c.integer(o.limit, `${field}.limit`, 1, MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT);
  const limit_param = c.string(o.limit_param ?? 'items_per_page', `${field}.limit_param`);
  const count_pages_path = c.string(
    o.count_pages_path ?? DEFAULT_COUNT_PAGES_PATH,
    `${field}.count_pages_path`,
  );
  const max_concurrency = c.integer(o.max_concurrency, `${field}.max_concurrency`, 1, 16, 4);
  if (!type || !cursor_param || !stop || !limit || !limit_param || !count_pages_path || !max_concurrency)
    return undefined;
  return { type, cursor_param, limit, limit_param, stop_condition: stop, count_pages_path, max_concurrency };
}

function checkPartitionRouter(c: Checker, raw: unknown, field: string): ListPartitionRouter | undefined {
  const o = c.object(raw, field, ['type', 'values', 'cursor_field', 'request_option', 'record_field'], false);
  if (!o) return undefined;
  const type = c.oneOf(o.type, `${field}.type`, ['list'] as const);
  let values: string[] | undefined;
  if (typeof o.values === 'string') {
    const text = c.string(o.values, `${field}.values`);
    values = text
      ?.split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  } else if (
    Array.isArray(o.values) &&
    o.values.every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    values = o.values.map(String);
  } else {
    c.fail(`${field}.values`, `must be a list or a comma-separated string, got ${describe(o.values)}`);
  }
  if (values && values.length === 0) c.fail(`${field}.values`, 'is empty: nothing would be read');
  if (values && new Set(values).size !== values.length)
    c.fail(
      `${field}.values`,
      `has duplicates: ${c.resolved(`${field}.values`) ? 'the setting names a value twice' : values.join(',')}`,
    );
  const cursor_field = c.string(o.cursor_field, `${field}.cursor_field`);
  // Years are the one partition the seed knows; check their shape so a typo fails before the API does.
  if (values && cursor_field === 'year') {
    const bad = values.filter(
      (v) => !/^\d{4}$/.test(v) || Number(v) < YEAR_RANGE.min || Number(v) > YEAR_RANGE.max,
    );
    if (bad.length)
      c.fail(
        `${field}.values`,
        `years must be four digits from ${YEAR_RANGE.min} to ${YEAR_RANGE.max}` +
          (c.resolved(`${field}.values`) ? '' : `, got ${bad.map((b) => JSON.stringify(b)).join(', ')}`),
      );
  }
  const ro = c.object(o.request_option, `${field}.request_option`, ['inject_into', 'field_name']);
  const inject_into =
    ro && c.oneOf(ro.inject_into, `${field}.request_option.inject_into`, ['request_parameter'] as const);
  const field_name = ro && c.string(ro.field_name, `${field}.request_option.field_name`);
  const record_field = c.string(o.record_field, `${field}.record_field`, { required: false });
  if (!type || !values || !cursor_field || !inject_into || !field_name) return undefined;
  const values_setting = settingOf(o.values);
  return {
    type,
    values,
    ...(values_setting ? { values_setting } : {}),
    cursor_field,
    request_option: { inject_into, field_name },
    ...(record_field ? { record_field } : {}),
  };
}

function checkIncremental(c: Checker, raw: unknown, field: string): DatetimeIncrementalSync | undefined {
  const o = c.object(
    raw,
    field,
    [
      'type',
      'cursor_field',
      'start_datetime',
      'end_datetime',
      'min_datetime',
      'start_param',
      'end_param',
      'window_field',
      'slice_days',
      'parallel_windows',
    ],
    false,
  );
  if (!o) return undefined;
  const type = c.oneOf(o.type, `${field}.type`, ['datetime', 'date'] as const);
  const cursor_field = c.string(o.cursor_field, `${field}.cursor_field`, { required: false });
  const start = c.string(o.start_datetime, `${field}.start_datetime`);
  const dates = `a date that exists, ${YEAR_RANGE.min} to ${YEAR_RANGE.max}`;
  if (start !== undefined && !isExistingDate(start)) {
    c.fail(
      `${field}.start_datetime`,
      `must be an ISO date or datetime such as 2024-01-01 (${dates}), got ${c.shown(`${field}.start_datetime`, start)}`,
    );
  }
  const end = c.string(o.end_datetime ?? 'now', `${field}.end_datetime`);
  if (end !== undefined && end !== 'now' && !isExistingDate(end)) {
    c.fail(
      `${field}.end_datetime`,
      `must be "now" or an ISO datetime (${dates}), got ${c.shown(`${field}.end_datetime`, end)}`,
    );
  }
  if (start && end && end !== 'now' && parseUtc(end) < parseUtc(start)) {
    c.fail(`${field}.end_datetime`, `is before start_datetime (${start})`);
  }
  const min = c.string(o.min_datetime, `${field}.min_datetime`, { required: false });
  if (min !== undefined && !isExistingDate(min)) {
    c.fail(
      `${field}.min_datetime`,
      `must be an ISO date or datetime such as 2023-08-21 (${dates}), got ${c.shown(`${field}.min_datetime`, min)}`,
    );
  }
  const start_param = c.string(o.start_param ?? 'time_since', `${field}.start_param`);
  const end_param = c.string(o.end_param ?? 'time_until', `${field}.end_param`);
  const window_field = c.string(o.window_field ?? 'time_since', `${field}.window_field`);
  const slice_days = c.integer(o.slice_days, `${field}.slice_days`, 1, 366, 92);
  const parallel_windows = c.integer(o.parallel_windows, `${field}.parallel_windows`, 1, 16, 4);
  if (
    !type ||
    !start ||
    !end ||
    !start_param ||
    !end_param ||
    !window_field ||
    !slice_days ||
    !parallel_windows
  ) {
    return undefined;
  }
  const start_setting = settingOf(o.start_datetime);
  return {
    type,
    ...(cursor_field ? { cursor_field } : {}),
    start_datetime: start,
    ...(start_setting ? { start_setting } : {}),
    end_datetime: end,
    ...(min !== undefined ? { min_datetime: min } : {}),
    start_param,
    end_param,
    window_field,
    slice_days,
    parallel_windows,
  };
}

/** Column names go into DDL and name the column's files: at most 64 characters (a nested one, twice that). */
const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** A scalar column type: `int`, `int?` (nullable), or with `allowArray` also `int[]` (a list of values). */
function parseColumnType(
  c: Checker,
  spec: unknown,
  field: string,
  allowArray: boolean,
): Omit<ColumnSpec, 'nested'> | undefined {
  const m = typeof spec === 'string' ? /^([a-z]+)(\?|\[\])?$/.exec(spec) : null;
  if (!m || !COLUMN_KINDS.includes(m[1] as ColumnKind) || (m[2] === '[]' && !allowArray)) {
    const forms = allowArray ? ' (with ? for nullable, [] for a list of values)' : ' (with ? for nullable)';
    return c.fail(field, `must be one of ${COLUMN_KINDS.join(', ')}${forms}, got ${describe(spec)}`);
  }
  const kind = m[1] as ColumnKind;
  return m[2] === '[]' ? { kind, nullable: false, array: true } : { kind, nullable: m[2] === '?' };
}

/**
 * `{"object": {...}}` or `{"list": {...}}`: fields of a nested object, or of each element of a nested
 * list, each a column named `<name>.<field>`.
 */
function checkNestedColumns(
  c: Checker,
  name: string,
  spec: Obj,
  field: string,
  columns: Record<string, ColumnSpec>,
): void {
  const vias = (['object', 'list'] as const).filter((v) => v in spec);
  const o = c.object(spec, field, ['object', 'list']);
  if (!o) return;
  if (vias.length !== 1) {
    c.fail(field, 'must name exactly one of "object" (a nested object) or "list" (a list of objects)');
    return;
  }
  const via = vias[0];
  const fields = c.object(o[via], `${field}.${via}`, Object.keys((o[via] as Obj | undefined) ?? {}));
  if (!fields) return;
  const names = Object.keys(fields).filter((f) => f !== '$comment');
  if (names.length === 0) c.fail(`${field}.${via}`, 'names no field');
  for (const inner of names) {
    if (!COLUMN_NAME.test(inner)) {
      c.fail(
        `${field}.${via}.${inner}`,
        'field names must start with a letter and hold only letters, digits and _, at most 64 characters',
      );
      continue;
    }
    const type = parseColumnType(c, fields[inner], `${field}.${via}.${inner}`, false);
    if (type) columns[`${name}.${inner}`] = { ...type, nested: { via, parent: name, field: inner } };
  }
}

function checkColumns(c: Checker, raw: unknown, field: string) {
  const o = c.object(raw, field, Object.keys((raw as Obj | undefined) ?? {}));
  if (!o) return undefined;
  const columns: Record<string, ColumnSpec> = {};
  for (const [name, spec] of Object.entries(o)) {
    if (name === '$comment') continue;
    // Column names go into DDL; underscore-prefixed names are the engine's bookkeeping columns.
    if (!COLUMN_NAME.test(name)) {
      c.fail(
        `${field}.${name}`,
        'column names must start with a letter and hold only letters, digits and _, at most 64 characters',
      );
      continue;
    }
    if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
      checkNestedColumns(c, name, spec as Obj, `${field}.${name}`, columns);
      continue;
    }
    const type = parseColumnType(c, spec, `${field}.${name}`, true);
    if (type) columns[name] = type;
  }
  return columns;
}

/** A column that holds one plain value per record (not nested, not a list): keys, windows, partitions. */
const isPlainColumn = (spec: ColumnSpec | undefined): spec is ColumnSpec =>
  spec !== undefined && !spec.array && !spec.nested;

/** The key's fields: one name or a list of names, each a column. */
function checkPrimaryKey(c: Checker, raw: unknown, field: string): string[] | undefined {
  const names = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== '')) {
    return c.fail(
      field,
      raw === undefined
        ? 'is required (here or in resource_defaults)'
        : `must be a field name or a non-empty list of field names, got ${describe(raw)}`,
    );
  }
  if (new Set(names).size !== names.length) return c.fail(field, `names a field twice: ${describe(raw)}`);
  return names as string[];
}

/**
 * The column the table is keyed by: a single key must be a non-null int (it is the id); several key
 * fields must be non-null columns, and their values are hashed into `_key`.
 */
function keyColumnOf(
  c: Checker,
  primaryKey: string[],
  columns: Record<string, ColumnSpec>,
  field: string,
  /** Where the key was given, when not in the resource itself (resource_defaults.primary_key). */
  givenIn?: string,
): string | undefined {
  const from = givenIn ? ` (from ${givenIn})` : '';
  let ok = true;
  for (const name of primaryKey) {
    const spec = columns[name];
    if (!spec) {
      c.fail(`${field}.primary_key`, `"${name}"${from} has no column in ${field}.columns`);
      ok = false;
    } else if (!isPlainColumn(spec)) {
      c.fail(
        `${field}.primary_key`,
        `"${name}"${from} is a nested or list column: a key field must be a plain one`,
      );
      ok = false;
    } else if (spec.nullable || (primaryKey.length === 1 && spec.kind !== 'int')) {
      c.fail(
        `${field}.columns.${name}`,
        primaryKey.length === 1
          ? 'the primary key must be "int" (not nullable)'
          : 'a field of the primary key must not be nullable (drop the ?)',
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  return primaryKey.length === 1 ? primaryKey[0] : COMPOSITE_KEY_COLUMN;
}

function checkParams(c: Checker, raw: unknown, field: string): Record<string, string> {
  const o = c.object(raw, field, Object.keys((raw as Obj | undefined) ?? {}), false) ?? {};
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    const value = typeof v === 'number' || typeof v === 'boolean' ? String(v) : c.string(v, `${field}.${k}`);
    if (value !== undefined) params[k] = value;
  }
  return params;
}

/** One dotted path to the records, or a list of them (the first the response has is read). */
function checkDataSelector(c: Checker, raw: unknown, field: string): string[] | undefined {
  if (Array.isArray(raw)) {
    if (raw.length === 0) return c.fail(field, 'must name at least one path');
    const paths = raw.map((p, i) => c.string(p, `${field}[${i}]`));
    if (new Set(paths).size !== paths.length) return c.fail(field, `names a path twice: ${describe(raw)}`);
    return paths.every((p): p is string => p !== undefined) ? paths : undefined;
  }
  const path = c.string(raw, field);
  return path === undefined ? undefined : [path];
}

function checkResource(c: Checker, raw: unknown, field: string, defaults: Obj): ResourceConfig | undefined {
  const o = c.object(raw, field, ['name', 'primary_key', 'write_disposition', 'endpoint', 'columns']);
  if (!o) return undefined;
  const name = c.string(o.name, `${field}.name`, { resolve: false });
  // The name becomes a table name in SQL text.
  if (name !== undefined && !/^[a-z][a-z0-9_]*$/.test(name)) {
    c.fail(
      `${field}.name`,
      `must be lower-case letters, digits and _ (it names the table), got ${describe(name)}`,
    );
  } else if (name !== undefined && resourceNameProblem(name)) {
    c.fail(`${field}.name`, `${resourceNameProblem(name)}, got ${describe(name)}`);
  }
  // A value inherited from resource_defaults is reported there, once.
  const inherited = (key: string) =>
    o[key] === undefined && defaults[key] !== undefined ? 'resource_defaults' : field;
  const primary_key = checkPrimaryKey(
    c,
    o.primary_key !== undefined ? o.primary_key : defaults.primary_key,
    `${inherited('primary_key')}.primary_key`,
  );
  const write_disposition = c.oneOf(
    o.write_disposition !== undefined ? o.write_disposition : defaults.write_disposition,
    `${inherited('write_disposition')}.write_disposition`,
    ['merge'] as const,
  );
  const ef = `${field}.endpoint`;
  const e = c.object(o.endpoint, ef, [
    'path',
    'data_selector',
    'params',
    'paginator',
    'partition_router',
    'incremental_sync',
  ]);
  const path = e && c.string(e.path, `${ef}.path`);
  const pathProblem = path === undefined ? undefined : endpointPathProblem(path);
  if (pathProblem) c.fail(`${ef}.path`, `${pathProblem}, got ${c.shown(`${ef}.path`, path)}`);
  const data_selector = e && checkDataSelector(c, e.data_selector, `${ef}.data_selector`);
  const endpoint: Partial<EndpointConfig> = {
    path,
    data_selector,
    params: checkParams(c, e?.params, `${ef}.params`),
    paginator: checkPaginator(c, e?.paginator, `${ef}.paginator`),
    partition_router: checkPartitionRouter(c, e?.partition_router, `${ef}.partition_router`),
    incremental_sync: checkIncremental(c, e?.incremental_sync, `${ef}.incremental_sync`),
  };
  if (endpoint.partition_router && endpoint.incremental_sync) {
    c.fail(ef, 'partition_router and incremental_sync cannot be combined on one resource');
  }
  const columns = checkColumns(c, o.columns, `${field}.columns`);
  const key_column =
    columns &&
    primary_key &&
    keyColumnOf(
      c,
      primary_key,
      columns,
      field,
      inherited('primary_key') === field ? undefined : 'resource_defaults.primary_key',
    );
  const inc = endpoint.incremental_sync;
  // Deletions in a window are found by this column, so it must hold the window's kind of bound.
  if (
    columns &&
    inc &&
    (!isPlainColumn(columns[inc.window_field]) || columns[inc.window_field].kind !== inc.type)
  ) {
    c.fail(
      `${ef}.incremental_sync.window_field`,
      `"${inc.window_field}" must be a ${inc.type} column in ${field}.columns (incremental_sync.type is "${inc.type}")`,
    );
  }
  const recordField = endpoint.partition_router?.record_field;
  if (columns && recordField !== undefined && !isPlainColumn(columns[recordField])) {
    c.fail(
      `${ef}.partition_router.record_field`,
      columns[recordField]
        ? `"${recordField}" is a nested or list column: the partition value fills a plain one`
        : `"${recordField}" has no column in ${field}.columns`,
    );
  }
  if (!name || !primary_key || !key_column || !write_disposition || !path || !data_selector || !columns)
    return undefined;
  return {
    name,
    primary_key,
    key_column,
    write_disposition,
    endpoint: endpoint as EndpointConfig,
    columns,
  };
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** Headers that carry credentials: those belong in client.auth, as references only workers resolve. */
const CREDENTIAL_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-clockodoapikey',
  'x-clockodoapiuser',
];

function checkHeaders(c: Checker, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    const field = `client.headers.${name}`;
    if (!HEADER_NAME.test(name)) c.fail(field, 'is not an HTTP header name');
    else if (CREDENTIAL_HEADERS.includes(name.toLowerCase()))
      c.fail(
        field,
        'carries credentials: put them in client.auth as ${NAME} references, which only workers resolve',
      );
    // A line break would start another header, or end them.
    else if (/[\r\n]/.test(value) || value.includes('\u0000')) c.fail(field, 'must not hold line breaks');
  }
}

/**
 * Checks the raw configuration and resolves `${VAR}` from `vars` (auth excepted).
 * Throws ConfigError listing every problem, each with its field.
 */
export function validateSourceConfig(
  raw: unknown,
  vars: Record<string, string>,
  source = 'configuration',
): SourceConfig {
  const c = new Checker(vars, secretNames(vars));
  const root = c.object(raw, '(root)', ['client', 'retry', 'resource_defaults', 'resources']);
  const client =
    root && c.object(root.client, 'client', ['base_url', 'auth', 'headers', 'request_timeout_seconds']);
  const base_url = client && c.string(client.base_url, 'client.base_url');
  // The form workers compare against their allowed base URLs (config/worker-credentials.ts).
  if (base_url !== undefined && normalizeBaseUrl(base_url) === undefined) {
    c.fail(
      'client.base_url',
      `must be an http(s) URL without user, password, query or fragment, got ${c.shown('client.base_url', base_url)}`,
    );
  }
  const auth = client && checkAuth(c, client.auth, 'client.auth', secretNames(vars));
  const headers = checkParams(c, client?.headers, 'client.headers');
  checkHeaders(c, headers);
  const app = headers['X-Clockodo-External-Application'];
  if (app !== undefined && app.length > 50) {
    c.fail(
      'client.headers.X-Clockodo-External-Application',
      `must be at most 50 characters, got ${app.length}`,
    );
  }
  const timeout = c.number(
    client?.request_timeout_seconds,
    'client.request_timeout_seconds',
    1,
    MAX_TIMEOUT_SECONDS,
    60,
  );
  const retry = checkRetry(c, root?.retry);
  const defaults =
    c.object(root?.resource_defaults, 'resource_defaults', ['primary_key', 'write_disposition'], false) ?? {};
  const resources: ResourceConfig[] = [];
  if (root && (!Array.isArray(root.resources) || root.resources.length === 0)) {
    c.fail('resources', 'must be a non-empty list');
  } else if (root) {
    (root.resources as unknown[]).forEach((r, i) => {
      const resource = checkResource(c, r, `resources[${i}]`, defaults);
      if (resource) resources.push(resource);
    });
    const names = resources.map((r) => r.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) c.fail('resources', `the name "${dup}" is used twice`);
  }
  if (c.issues.length || !base_url || !auth || timeout === undefined) {
    throw new ConfigError(
      source,
      c.issues.length ? c.issues : [{ field: '(root)', problem: 'is incomplete' }],
    );
  }
  return { client: { base_url, auth, headers, request_timeout_seconds: timeout }, retry, resources };
}
