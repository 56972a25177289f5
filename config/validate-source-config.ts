// Validates a raw source configuration (the seed's shape) and resolves its `${VAR}` references,
// before any work starts. Every problem is reported with the field it concerns.
// The shape (types, ranges, enums, patterns, unknown keys) is the zod schema's
// (domain/source-config-schema.ts); what needs the settings or several fields at once is here.
import type { z } from 'zod';
import { Checker } from './config-checker';
import { ConfigError, schemaIssues } from './config-error';
import { parseStopCondition, StopConditionSyntaxError } from '../domain/stop-condition';
import { normalizeBaseUrl, secretNames } from './worker-credentials';
import { endpointPathProblem } from './request-url';
import { resourceNameProblem } from '../domain/table-names';
import { COMPOSITE_KEY_COLUMN } from '../domain/record-key';
import { settingOf, WHOLE_REFERENCE } from '../domain/names';
import { withCurrentKeys } from '../domain/paging';
// The same reading of a datetime as the workflow's window (no zone means UTC).
import { parseUtc } from '../domain/windows';
import { isExistingDate, YEAR_RANGE } from './calendar';
import {
  describe,
  fileClientSchema,
  fileColumnsSchema,
  fileEndpointSchema,
  fileIncrementalSyncSchema,
  filePaginatorSchema,
  filePartitionRouterSchema,
  fileResourceDefaultsSchema,
  fileResourceSchema,
  fileRetrySchema,
  retrySchema,
  sourceConfigFileSchema,
} from '../domain/source-config-schema';
import type {
  AuthConfig,
  ColumnKind,
  ColumnSpec,
  DatetimeIncrementalSync,
  ListPartitionRouter,
  PaginatorConfig,
  ResourceConfig,
  RetryConfig,
  SourceConfig,
} from '../domain/source-config';

export { ConfigError, isExistingDate, YEAR_RANGE };
export type { ConfigIssue } from './config-error';
export const DEFAULT_RETRY: RetryConfig = retrySchema.parse(fileRetrySchema.parse({}));

type Obj = Record<string, unknown>;
/** An object without its `$comment` (comments are for people, never part of the configuration). */
function uncommented<T extends { $comment?: unknown }>(o: T): Omit<T, '$comment'> {
  const copy = { ...o };
  delete copy.$comment;
  return copy;
}
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A part of the file as the schema reads it (defaults filled in). */
type File<T extends z.ZodType> = z.output<T>;

/** The parsed value when it fits the schema, else undefined (its issues are reported by the whole parse). */
function fitting<T extends z.ZodType>(schema: T, value: unknown): z.output<T> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Workers resolve only their allow-list: another name is reported here, before anything starts. */
function checkAuth(c: Checker, auth: File<typeof fileClientSchema>['auth']): AuthConfig | undefined {
  const references = uncommented(auth);
  let ok = true;
  for (const [key, value] of Object.entries(references)) {
    const name = key === 'type' ? undefined : WHOLE_REFERENCE.exec(value)?.[1];
    if (name !== undefined && !c.secretNames.includes(name)) {
      ok = false;
      c.fail(
        `client.auth.${key}`,
        `refers to \${${name}}, which workers do not send: they resolve only ${c.secretNames.join(', ')} (add ${name} to WORKER_SECRET_NAMES on the workers)`,
      );
    }
  }
  return ok ? (references as AuthConfig) : undefined;
}

/** Header and parameter values, resolved; numbers and true/false as text. */
function checkParams(c: Checker, raw: Record<string, string | number | boolean>, field: string) {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const value = typeof v === 'string' ? c.resolve(v, `${field}.${k}`) : String(v);
    if (value !== undefined) params[k] = value;
  }
  return params;
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
  const app = headers['X-Clockodo-External-Application'];
  if (app !== undefined && app.length > 50) {
    c.fail(
      'client.headers.X-Clockodo-External-Application',
      `must be at most 50 characters, got ${app.length}`,
    );
  }
}

function checkClient(c: Checker, client: File<typeof fileClientSchema>): SourceConfig['client'] | undefined {
  const base_url = c.resolve(client.base_url, 'client.base_url');
  // The form workers compare against their allowed base URLs (config/worker-credentials.ts).
  if (base_url !== undefined && normalizeBaseUrl(base_url) === undefined) {
    c.fail(
      'client.base_url',
      `must be an http(s) URL without user, password, query or fragment, got ${c.shown('client.base_url', base_url)}`,
    );
  }
  const auth = checkAuth(c, client.auth);
  const headers = checkParams(c, client.headers, 'client.headers');
  checkHeaders(c, headers);
  if (!base_url || !auth) return undefined;
  return { base_url, auth, headers, request_timeout_seconds: client.request_timeout_seconds };
}

function checkRetry(c: Checker, parsed: File<typeof fileRetrySchema>): RetryConfig {
  const retry = uncommented(parsed);
  const both = retry.retry_on_status.filter((s) => retry.fail_fast_on_status.includes(s));
  if (both.length)
    c.fail('retry.fail_fast_on_status', `lists ${both.join(', ')}, also in retry.retry_on_status`);
  return retry;
}

/**
 * The document as the schema reads it: paginators with dlt's keys (deprecated keys renamed, each
 * reported in `deprecations`; an old key beside its new name refused), and no `$comment` among columns.
 */
function prepared(c: Checker, raw: unknown, deprecations: string[]): unknown {
  if (!isObject(raw) || !Array.isArray(raw.resources)) return raw;
  return {
    ...raw,
    resources: raw.resources.map((r: unknown, i) => {
      if (!isObject(r)) return r;
      const resource = r.columns === undefined ? r : { ...r, columns: withoutComments(r.columns) };
      if (!isObject(r.endpoint) || !isObject(r.endpoint.paginator)) return resource;
      const field = `resources[${i}].endpoint.paginator`;
      const { paginator, deprecated, conflicts } = withCurrentKeys(r.endpoint.paginator);
      for (const { key, advice } of deprecated) deprecations.push(`${field}.${key} is deprecated: ${advice}`);
      for (const key of conflicts)
        c.fail(`${field}.${key}`, `is the deprecated name of a key also given: give only the new one`);
      return { ...resource, endpoint: { ...r.endpoint, paginator } };
    }),
  };
}

function checkPaginator(
  c: Checker,
  parsed: File<typeof filePaginatorSchema>,
  field: string,
): PaginatorConfig | undefined {
  if (parsed.page_param === undefined) return c.fail(`${field}.page_param`, 'is required');
  const strings = c.resolveAll(
    {
      page_param: parsed.page_param,
      limit_param: parsed.limit_param,
      stop_condition: parsed.stop_condition,
      total_path: parsed.total_path,
      total_items_path: parsed.total_items_path,
    },
    field,
  );
  if (strings) {
    try {
      parseStopCondition(strings.stop_condition);
    } catch (e) {
      if (!(e instanceof StopConditionSyntaxError)) throw e;
      // The message quotes the condition: not when it came from a setting.
      return c.fail(
        `${field}.stop_condition`,
        c.resolved(`${field}.stop_condition`) ? 'is not a valid stop condition' : e.message,
      );
    }
  }
  if (!strings) return undefined;
  const { base_page, limit, max_concurrency } = parsed;
  return { type: 'page_number', ...strings, base_page, limit, max_concurrency };
}

function checkPartitionRouter(
  c: Checker,
  o: File<typeof filePartitionRouterSchema>,
  field: string,
): ListPartitionRouter | undefined {
  const valuesField = `${field}.values`;
  const values =
    typeof o.values === 'string'
      ? c
          .resolve(o.values, valuesField)
          ?.split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '')
      : o.values.map(String);
  if (values && values.length === 0) c.fail(valuesField, 'is empty: nothing would be read');
  if (values && new Set(values).size !== values.length)
    c.fail(
      valuesField,
      `has duplicates: ${c.resolved(valuesField) ? 'the setting names a value twice' : values.join(',')}`,
    );
  const cursor_field = c.resolve(o.cursor_field, `${field}.cursor_field`);
  // Years are the one partition the seed knows; check their shape so a typo fails before the API does.
  if (values && cursor_field === 'year') {
    const bad = values.filter(
      (v) => !/^\d{4}$/.test(v) || Number(v) < YEAR_RANGE.min || Number(v) > YEAR_RANGE.max,
    );
    if (bad.length)
      c.fail(
        valuesField,
        `years must be four digits from ${YEAR_RANGE.min} to ${YEAR_RANGE.max}` +
          (c.resolved(valuesField) ? '' : `, got ${bad.map((b) => JSON.stringify(b)).join(', ')}`),
      );
  }
  const field_name = c.resolve(o.request_option.field_name, `${field}.request_option.field_name`);
  const record_field = c.resolveOptional(o.record_field, `${field}.record_field`);
  if (!values || !cursor_field || !field_name) return undefined;
  const values_setting = settingOf(o.values);
  return {
    type: o.type,
    values,
    ...(values_setting ? { values_setting } : {}),
    cursor_field,
    request_option: { inject_into: o.request_option.inject_into, field_name },
    ...(record_field ? { record_field } : {}),
  };
}

function checkIncremental(
  c: Checker,
  o: File<typeof fileIncrementalSyncSchema>,
  field: string,
): DatetimeIncrementalSync | undefined {
  const cursor_field = c.resolveOptional(o.cursor_field, `${field}.cursor_field`);
  const start = c.resolve(o.start_datetime, `${field}.start_datetime`);
  const dates = `a date that exists, ${YEAR_RANGE.min} to ${YEAR_RANGE.max}`;
  if (start !== undefined && !isExistingDate(start)) {
    c.fail(
      `${field}.start_datetime`,
      `must be an ISO date or datetime such as 2024-01-01 (${dates}), got ${c.shown(`${field}.start_datetime`, start)}`,
    );
  }
  const end = c.resolve(o.end_datetime, `${field}.end_datetime`);
  if (end !== undefined && end !== 'now' && !isExistingDate(end)) {
    c.fail(
      `${field}.end_datetime`,
      `must be "now" or an ISO datetime (${dates}), got ${c.shown(`${field}.end_datetime`, end)}`,
    );
  }
  if (start && end && end !== 'now' && parseUtc(end) < parseUtc(start)) {
    c.fail(`${field}.end_datetime`, `is before start_datetime (${start})`);
  }
  const min = c.resolveOptional(o.min_datetime, `${field}.min_datetime`);
  if (min !== undefined && !isExistingDate(min)) {
    c.fail(
      `${field}.min_datetime`,
      `must be an ISO date or datetime such as 2023-08-21 (${dates}), got ${c.shown(`${field}.min_datetime`, min)}`,
    );
  }
  const params = c.resolveAll(
    { start_param: o.start_param, end_param: o.end_param, window_field: o.window_field },
    field,
  );
  if (!start || !end || !params) return undefined;
  const start_setting = settingOf(o.start_datetime);
  return {
    type: o.type,
    ...(cursor_field ? { cursor_field } : {}),
    start_datetime: start,
    ...(start_setting ? { start_setting } : {}),
    end_datetime: end,
    ...(min !== undefined ? { min_datetime: min } : {}),
    ...params,
    slice_days: o.slice_days,
    parallel_windows: o.parallel_windows,
  };
}

/** A column type as written: `int`, `int?` (nullable) or `int[]` (a list of values). */
function columnTypeOf(spec: string): Omit<ColumnSpec, 'nested'> {
  const kind = spec.replace(/\?|\[\]/, '') as ColumnKind;
  return spec.endsWith('[]')
    ? { kind, nullable: false, array: true }
    : { kind, nullable: spec.endsWith('?') };
}

/** Comments are for people: a `$comment` among columns or fields is no column. */
function withoutComments(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const rest = uncommented(raw);
  for (const [name, spec] of Object.entries(rest)) {
    if (isObject(spec))
      rest[name] = Object.fromEntries(
        Object.entries(spec).map(([via, fields]) => [
          via,
          isObject(fields) ? withoutComments(fields) : fields,
        ]),
      );
  }
  return rest;
}

/**
 * The columns, each nested one (`{"object": {...}}` or `{"list": {...}}`) as one column per field, named
 * `<name>.<field>`.
 */
function checkColumns(
  c: Checker,
  parsed: File<typeof fileColumnsSchema>,
  field: string,
): Record<string, ColumnSpec> {
  const columns: Record<string, ColumnSpec> = {};
  for (const [name, spec] of Object.entries(parsed)) {
    if (typeof spec === 'string') {
      columns[name] = columnTypeOf(spec);
      continue;
    }
    const vias = (['object', 'list'] as const).filter((v) => spec[v] !== undefined);
    if (vias.length !== 1) {
      c.fail(
        `${field}.${name}`,
        'must name exactly one of "object" (a nested object) or "list" (a list of objects)',
      );
      continue;
    }
    const via = vias[0];
    const fields = Object.entries(spec[via] ?? {});
    if (fields.length === 0) c.fail(`${field}.${name}.${via}`, 'names no field');
    for (const [inner, type] of fields)
      columns[`${name}.${inner}`] = { ...columnTypeOf(type), nested: { via, parent: name, field: inner } };
  }
  return columns;
}

/** A column that holds one plain value per record (not nested, not a list): keys, windows, partitions. */
const isPlainColumn = (spec: ColumnSpec | undefined): spec is ColumnSpec =>
  spec !== undefined && !spec.array && !spec.nested;

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

/** The key's fields (one name or a list of them), here or from resource_defaults. */
function primaryKeyOf(c: Checker, given: string | string[] | undefined, field: string): string[] | undefined {
  if (given === undefined) return c.fail(field, 'is required (here or in resource_defaults)');
  const names = typeof given === 'string' ? [given] : given;
  if (new Set(names).size !== names.length) return c.fail(field, `names a field twice: ${describe(given)}`);
  return names;
}

function checkEndpoint(c: Checker, e: File<typeof fileEndpointSchema>, ef: string) {
  const path = c.resolve(e.path, `${ef}.path`);
  const pathProblem = path === undefined ? undefined : endpointPathProblem(path);
  if (pathProblem) c.fail(`${ef}.path`, `${pathProblem}, got ${c.shown(`${ef}.path`, path)}`);
  const selectors = typeof e.data_selector === 'string' ? [e.data_selector] : e.data_selector;
  if (new Set(selectors).size !== selectors.length)
    c.fail(`${ef}.data_selector`, `names a path twice: ${describe(e.data_selector)}`);
  const resolved = selectors.map((p, i) =>
    c.resolve(p, typeof e.data_selector === 'string' ? `${ef}.data_selector` : `${ef}.data_selector[${i}]`),
  );
  const params = checkParams(c, e.params, `${ef}.params`);
  const paginator = e.paginator && checkPaginator(c, e.paginator, `${ef}.paginator`);
  const partition_router =
    e.partition_router && checkPartitionRouter(c, e.partition_router, `${ef}.partition_router`);
  const incremental_sync =
    e.incremental_sync && checkIncremental(c, e.incremental_sync, `${ef}.incremental_sync`);
  if (e.partition_router && e.incremental_sync)
    c.fail(ef, 'partition_router and incremental_sync cannot be combined on one resource');
  const data_selector = resolved.every((p): p is string => p !== undefined) ? resolved : undefined;
  if (!path || pathProblem || !data_selector) return undefined;
  return {
    path,
    data_selector,
    params,
    ...(paginator ? { paginator } : {}),
    ...(partition_router ? { partition_router } : {}),
    ...(incremental_sync ? { incremental_sync } : {}),
  };
}

function checkResource(
  c: Checker,
  r: File<typeof fileResourceSchema>,
  field: string,
  defaults: File<typeof fileResourceDefaultsSchema>,
): ResourceConfig | undefined {
  const nameProblem = resourceNameProblem(r.name);
  if (nameProblem) c.fail(`${field}.name`, `${nameProblem}, got ${describe(r.name)}`);
  // A value inherited from resource_defaults is reported there, once.
  const inherited = (key: 'primary_key' | 'write_disposition') =>
    r[key] === undefined && defaults[key] !== undefined ? 'resource_defaults' : field;
  const primary_key = primaryKeyOf(
    c,
    r.primary_key ?? defaults.primary_key,
    `${inherited('primary_key')}.primary_key`,
  );
  const write_disposition = r.write_disposition ?? defaults.write_disposition;
  if (write_disposition === undefined)
    c.fail(`${field}.write_disposition`, 'must be one of "merge", got nothing');
  const endpoint = checkEndpoint(c, r.endpoint, `${field}.endpoint`);
  const columns = checkColumns(c, r.columns, `${field}.columns`);
  const key_column =
    primary_key &&
    keyColumnOf(
      c,
      primary_key,
      columns,
      field,
      inherited('primary_key') === field ? undefined : 'resource_defaults.primary_key',
    );
  const inc = endpoint?.incremental_sync;
  // Deletions in a window are found by this column, so it must hold the window's kind of bound.
  if (inc && (!isPlainColumn(columns[inc.window_field]) || columns[inc.window_field].kind !== inc.type)) {
    c.fail(
      `${field}.endpoint.incremental_sync.window_field`,
      `"${inc.window_field}" must be a ${inc.type} column in ${field}.columns (incremental_sync.type is "${inc.type}")`,
    );
  }
  const recordField = endpoint?.partition_router?.record_field;
  if (recordField !== undefined && !isPlainColumn(columns[recordField])) {
    c.fail(
      `${field}.endpoint.partition_router.record_field`,
      columns[recordField]
        ? `"${recordField}" is a nested or list column: the partition value fills a plain one`
        : `"${recordField}" has no column in ${field}.columns`,
    );
  }
  if (nameProblem || !primary_key || !key_column || !write_disposition || !endpoint) return undefined;
  return { name: r.name, primary_key, key_column, write_disposition, endpoint, columns };
}

export interface CheckedSourceConfig {
  config: SourceConfig;
  /** Deprecated keys the file uses, one line each: the configuration still works. */
  deprecations: string[];
}

/**
 * Checks the raw configuration and resolves `${VAR}` from `vars` (auth excepted); also reports the
 * deprecated keys it uses. Throws ConfigError listing every problem, each with its field.
 */
export function checkSourceConfig(
  raw: unknown,
  vars: Record<string, string>,
  source = 'configuration',
): CheckedSourceConfig {
  const c = new Checker(vars, secretNames(vars));
  const deprecations: string[] = [];
  const doc = prepared(c, raw, deprecations);
  // The shape first: every structural problem, each at its path.
  const parsed = sourceConfigFileSchema.safeParse(doc);
  if (!parsed.success)
    for (const issue of schemaIssues(parsed.error.issues)) c.fail(issue.field, issue.problem);
  // Then the rules across fields, on each part whose own shape is right: the client, the retry block,
  // each resource (so one run reports the problems of all the others too).
  const root = isObject(doc) ? doc : {};
  const fileClient = fitting(fileClientSchema, root.client);
  const client = fileClient && checkClient(c, fileClient);
  const fileRetry = fitting(fileRetrySchema, root.retry ?? {});
  const retry = fileRetry && checkRetry(c, fileRetry);
  const defaults = fitting(fileResourceDefaultsSchema, root.resource_defaults ?? {});
  const resources: ResourceConfig[] = [];
  if (Array.isArray(root.resources) && defaults) {
    root.resources.forEach((raw: unknown, i) => {
      const r = fitting(fileResourceSchema, raw);
      const resource = r && checkResource(c, r, `resources[${i}]`, defaults);
      if (resource) resources.push(resource);
    });
    const names = resources.map((r) => r.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) c.fail('resources', `the name "${dup}" is used twice`);
  }
  if (c.issues.length || !parsed.success || !client || !retry) {
    throw new ConfigError(
      source,
      c.issues.length ? c.issues : [{ field: '(root)', problem: 'is incomplete' }],
    );
  }
  return { config: { client, retry, resources }, deprecations };
}

/** checkSourceConfig's configuration, for callers that report no deprecations. */
export const validateSourceConfig = (
  raw: unknown,
  vars: Record<string, string>,
  source = 'configuration',
): SourceConfig => checkSourceConfig(raw, vars, source).config;
