// Settings from the environment, with a `.env` file (project root) filling in what the environment
// lacks. Defaults point at the local services and the local API server, so a fresh clone just works.
import { PAGE_RUN_BUDGET } from '../domain/page-runs';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { recentYears, recentYearsStart, RunRules } from '../domain/run-rules';
import type { Destination, RunOptions } from '../domain/types';
import { quotedValue, SettingsError } from './settings-error';
import { checkStartDate, checkYearList, recentYearsSetting } from './sync-period';
import { IDENTIFIER } from '../domain/names';

export { SettingsError } from './settings-error';

/** The folder with package.json: `..` from the sources, `../..` from their compiled copy in dist/. */
export const PROJECT_ROOT = [path.resolve(__dirname, '..'), path.resolve(__dirname, '../..')].find((dir) =>
  existsSync(path.join(dir, 'package.json')),
) as string;

export type Env = Record<string, string | undefined>;

/** Parses KEY=VALUE lines; `#` comments, optional `export `, single or double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    let value = m[2];
    const quoted = /^(['"])(.*?)\1(\s+#.*)?$/.exec(value);
    if (quoted) value = quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]] = value;
  }
  return out;
}

/** Empty values count as unset, except a password, which may well be empty. */
const mayBeEmpty = (key: string) => key === 'CLICKHOUSE_PASSWORD';

/** The process environment over the project's `.env` (the environment wins where it has a value). */
export function readEnv(env: Env = process.env, dotEnvPath = path.join(PROJECT_ROOT, '.env')): Env {
  const merged: Env = existsSync(dotEnvPath) ? parseDotEnv(readFileSync(dotEnvPath, 'utf8')) : {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && (value !== '' || mayBeEmpty(key))) merged[key] = value;
  }
  return merged;
}

/** The local API server's demo account: defaults only while the API is on this machine (see below). */
export const DEMO_CREDENTIALS: Readonly<Record<string, string>> = {
  CLOCKODO_EMAIL: 'demo@example.com',
  CLOCKODO_API_KEY: 'local-demo-key',
};

/** Whether a URL points at this machine (the local API server): localhost or a loopback address. */
export function isLoopbackUrl(text: string): boolean {
  let host: string;
  try {
    host = new URL(text.trim()).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The base URLs a worker sends API credentials to: WORKER_API_BASE_URLS, else CLOCKODO_BASE_URL. */
export function apiBaseUrlSettings(vars: Record<string, string>): string[] {
  const list = vars.WORKER_API_BASE_URLS;
  if (list === undefined) return vars.CLOCKODO_BASE_URL === undefined ? [] : [vars.CLOCKODO_BASE_URL];
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The demo account stays only while every API the credentials may go to is on this machine. Sent to
 * a real API it would earn a 401 that hides the actual problem: no key is configured. A demo value
 * copied from .env.example counts as unset there too.
 */
function withoutDemoCredentialsElsewhere(vars: Record<string, string>): Record<string, string> {
  const urls = apiBaseUrlSettings(vars);
  if (urls.length > 0 && urls.every(isLoopbackUrl)) return vars;
  for (const [name, value] of Object.entries(DEMO_CREDENTIALS)) if (vars[name] === value) delete vars[name];
  return vars;
}

/** Defaults of every setting, given the current date (SYNC_YEARS covers this year and the two before). */
export function defaultSettings(now: Date): Record<string, string> {
  const year = now.getUTCFullYear();
  return {
    CLOCKODO_BASE_URL: 'http://127.0.0.1:8787/api',
    ...DEMO_CREDENTIALS,
    CLOCKODO_EXTERNAL_APP: 'clockodo-clickhouse-sync;demo@example.com',
    SYNC_YEARS: [year - 2, year - 1, year].join(','),
    SYNC_START_DATE: `${year - 2}-01-01`,
    SYNC_LOOKBACK_DAYS: '31',
    SYNC_HORIZON_DAYS: '30',
    SYNC_CURSOR_MARGIN_HOURS: '24',
    SYNC_MAX_DELETE_SHARE: '0.1',
    SYNC_SECOND_CHANCE_SECONDS: '30',
    SYNC_PAGE_RUN_RECORDS: String(PAGE_RUN_BUDGET.records),
    SYNC_PAGE_RUN_SECONDS: String(PAGE_RUN_BUDGET.seconds),
    CLICKHOUSE_URL: 'http://127.0.0.1:8123',
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'clockodo',
    TEMPORAL_TASK_QUEUE: 'clockodo-sync',
    SOURCE_CONFIG: 'config/sources/clockodo-v2.json',
  };
}

/** Environment values over defaults; an empty value counts as unset, except for passwords. */
export function resolveVariables(env: Env = readEnv(), now = new Date()): Record<string, string> {
  const vars: Record<string, string> = { ...defaultSettings(now) };
  const given = new Set<string>();
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value === '' && !mayBeEmpty(key)) continue;
    vars[key] = value;
    given.add(key);
  }
  return withRelativeSettings(withoutDemoCredentialsElsewhere(vars), given, now.getTime());
}

const RECENT = /^recent:(\d+)$/;
const DEFAULT_RECENT_YEARS = 3;

/**
 * SYNC_YEARS left unset, or given as `recent:N`, is relative ("this year and the N-1 before"); so is
 * SYNC_START_DATE left unset (January 1st of the first of those years). Such settings get a rule
 * (SYNC_YEARS_RULE, SYNC_START_DATE_RULE) that a run resolves from its own start time; their values
 * here are what the rules say now, for checking the configuration before anything starts. Both are
 * checked first (sync-period.ts): N is bounded before any list of years is built from it.
 */
function withRelativeSettings(vars: Record<string, string>, given: Set<string>, nowMs: number) {
  // Rules passed on from resolved settings (a tool's environment) are bounded like SYNC_YEARS.
  for (const rule of ['SYNC_YEARS_RULE', 'SYNC_START_DATE_RULE'])
    if (given.has(rule)) recentYearsSetting(vars[rule], rule);
  const recent = given.has('SYNC_YEARS') ? recentYearsSetting(vars.SYNC_YEARS) : DEFAULT_RECENT_YEARS;
  if (recent === undefined) checkYearList(vars.SYNC_YEARS);
  if (given.has('SYNC_START_DATE')) checkStartDate(vars.SYNC_START_DATE);
  const n = recent ?? DEFAULT_RECENT_YEARS;
  if (recent !== undefined) {
    vars.SYNC_YEARS = recentYears(n, nowMs).join(',');
    vars.SYNC_YEARS_RULE = `recent:${n}`;
  }
  if (!given.has('SYNC_START_DATE')) {
    vars.SYNC_START_DATE = recentYearsStart(n, nowMs);
    vars.SYNC_START_DATE_RULE = `recent:${n}`;
  }
  return vars;
}

/** The relative settings a run resolves itself (see withRelativeSettings). */
export function runRules(vars: Record<string, string>): RunRules {
  const years = RECENT.exec(vars.SYNC_YEARS_RULE ?? '');
  const start = RECENT.exec(vars.SYNC_START_DATE_RULE ?? '');
  return {
    ...(years ? { years: { recent: Number(years[1]) } } : {}),
    ...(start ? { startDate: { recentYears: Number(start[1]) } } : {}),
  };
}

export interface ClickHouseSettings {
  url: string;
  user: string;
  password: string;
  database: string;
  /** CLICKHOUSE_CLUSTER: create the tables ON CLUSTER with Replicated engines. */
  cluster?: string;
  /** PEM files: the CA that signed the server's certificate, and a client certificate and key. */
  tls?: { caCert?: string; clientCert?: string; clientKey?: string };
}

/** TLS files for an https:// CLICKHOUSE_URL; each must exist, and a client certificate needs its key. */
function clickHouseTls(vars: Record<string, string>): Pick<ClickHouseSettings, 'tls'> {
  const tls = {
    caCert: vars.CLICKHOUSE_TLS_CA_CERT_PATH,
    clientCert: vars.CLICKHOUSE_TLS_CLIENT_CERT_PATH,
    clientKey: vars.CLICKHOUSE_TLS_CLIENT_KEY_PATH,
  };
  const given = Object.entries(tls).filter(([, v]) => v !== undefined);
  if (given.length === 0) return {};
  if (!/^https:/i.test(vars.CLICKHOUSE_URL))
    throw new SettingsError('CLICKHOUSE_TLS_*: set for a CLICKHOUSE_URL that is not https://');
  if (!tls.clientCert !== !tls.clientKey)
    throw new SettingsError(
      'CLICKHOUSE_TLS_CLIENT_CERT_PATH and CLICKHOUSE_TLS_CLIENT_KEY_PATH: give both or neither',
    );
  const names = { caCert: 'CA_CERT', clientCert: 'CLIENT_CERT', clientKey: 'CLIENT_KEY' } as const;
  for (const [key, file] of given) {
    if (!existsSync(file))
      throw new SettingsError(`CLICKHOUSE_TLS_${names[key as keyof typeof names]}_PATH: no file ${file}`);
  }
  return { tls };
}

/** An http:// or https:// URL with a host. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * A user and password in CLICKHOUSE_URL win over CLICKHOUSE_USER and CLICKHOUSE_PASSWORD (as the
 * ClickHouse client would have it); they are taken out of the URL, so the URL passed on holds none.
 */
function urlCredentials(vars: Record<string, string>): Pick<ClickHouseSettings, 'url' | 'user' | 'password'> {
  const url = new URL(vars.CLICKHOUSE_URL);
  const given = { url: vars.CLICKHOUSE_URL, user: vars.CLICKHOUSE_USER, password: vars.CLICKHOUSE_PASSWORD };
  if (!url.username && !url.password) return given;
  const user = url.username ? decodeURIComponent(url.username) : given.user;
  const password = url.password ? decodeURIComponent(url.password) : given.password;
  url.username = '';
  url.password = '';
  return { url: url.toString().replace(/\/$/, ''), user, password };
}

export function clickHouseSettings(vars: Record<string, string>): ClickHouseSettings {
  const database = vars.CLICKHOUSE_DATABASE;
  // The name goes into SQL text (18.16 has no query parameters), so it must be a plain identifier.
  if (!IDENTIFIER.test(database)) {
    throw new SettingsError(
      `CLICKHOUSE_DATABASE: must be a plain identifier (letters, digits, underscore), got ${JSON.stringify(database)}`,
    );
  }
  // Not repeated: a URL that does not parse may still hold a password (shown-url.ts).
  if (!isHttpUrl(vars.CLICKHOUSE_URL)) {
    throw new SettingsError(
      'CLICKHOUSE_URL: not a URL starting with http:// or https://, such as http://127.0.0.1:8123 (the value is not shown: it may hold a password)',
    );
  }
  const cluster = vars.CLICKHOUSE_CLUSTER;
  if (cluster !== undefined && !IDENTIFIER.test(cluster)) {
    throw new SettingsError(
      `CLICKHOUSE_CLUSTER: must be a cluster name from the server's remote_servers, got ${JSON.stringify(cluster)}`,
    );
  }
  return {
    ...urlCredentials(vars),
    database,
    ...(cluster ? { cluster } : {}),
    ...clickHouseTls(vars),
  };
}

/** A number setting within bounds, or a SettingsError naming it. */
export function numberSetting(vars: Record<string, string>, key: string, min: number, max: number): number {
  const text = vars[key];
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !isFinite(value) || value < min || value > max) {
    throw new SettingsError(
      `${key}: must be a number from ${min} to ${max}, got ${text === undefined ? 'nothing' : quotedValue(text)}`,
    );
  }
  return value;
}

/** A whole-number setting within bounds (unset: its default), or a SettingsError naming it. */
export function integerSetting(
  vars: Record<string, string>,
  key: string,
  bounds: { min: number; max: number; default: number },
): number {
  const text = vars[key];
  if (text === undefined) return bounds.default;
  if (!/^\s*\d{1,9}\s*$/.test(text) || Number(text) < bounds.min || Number(text) > bounds.max) {
    throw new SettingsError(
      `${key}: must be a whole number from ${bounds.min} to ${bounds.max}, got ${quotedValue(text)}`,
    );
  }
  return Number(text);
}

/** Run-time choices of a sync (the incremental window, the mass-deletion guard). */
export function runOptions(vars: Record<string, string>, allowMassDelete = false): RunOptions {
  return {
    lookbackDays: numberSetting(vars, 'SYNC_LOOKBACK_DAYS', 0, 3650),
    horizonDays: numberSetting(vars, 'SYNC_HORIZON_DAYS', 0, 3650),
    cursorMarginMs: numberSetting(vars, 'SYNC_CURSOR_MARGIN_HOURS', 0, 24 * 365) * 3_600_000,
    maxDeleteShare: numberSetting(vars, 'SYNC_MAX_DELETE_SHARE', 0, 1),
    allowMassDelete,
    secondChanceDelayMs: numberSetting(vars, 'SYNC_SECOND_CHANCE_SECONDS', 0, 3600) * 1000,
    pageRunBudget: {
      records: numberSetting(vars, 'SYNC_PAGE_RUN_RECORDS', 1, 10_000_000),
      seconds: numberSetting(vars, 'SYNC_PAGE_RUN_SECONDS', 1, 600),
    },
  };
}

/** The destination a sync names in its request: credentials and query in the URL are dropped, they stay on workers. */
export function destinationOf(vars: Record<string, string>): Destination {
  const { url, database } = clickHouseSettings(vars);
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  // A query may carry settings or a token: the request names only the server.
  parsed.search = '';
  parsed.hash = '';
  return { url: parsed.toString().replace(/\/$/, ''), database };
}
