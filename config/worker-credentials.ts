// What a worker lets its API credentials be used for. The workflow input names the variables to send
// and the base URL to send them to, and anyone who may start a workflow writes that input; so the
// worker alone decides which of its settings are secrets it sends (an allow-list), to which base
// URLs, and with which CA it verifies them. Nothing else of its environment reaches the activities.
import { existsSync, readFileSync } from 'fs';
import { Agent } from 'https';
import * as path from 'path';
import { rootCertificates } from 'tls';
import { apiBaseUrlSettings, isLoopbackUrl, PROJECT_ROOT, SettingsError } from './settings';
import { shownUrl } from './shown-url';
import { IDENTIFIER, WHOLE_REFERENCE } from '../domain/names';

/** What a source configuration's client.auth refers to by default. */
export const DEFAULT_SECRET_NAMES: readonly string[] = ['CLOCKODO_EMAIL', 'CLOCKODO_API_KEY'];

/** The worker's own credentials (ClickHouse, Temporal) are never sent to an API, whatever the list says. */
const NEVER_SENT = /^(CLICKHOUSE|TEMPORAL)_/;

/** The names a worker resolves in client.auth: the defaults and WORKER_SECRET_NAMES (comma-separated). */
export function secretNames(vars: Record<string, string>): string[] {
  const extra = (vars.WORKER_SECRET_NAMES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of extra) {
    if (!IDENTIFIER.test(name))
      throw new SettingsError(`WORKER_SECRET_NAMES: ${JSON.stringify(name)} is not a variable name`);
    if (NEVER_SENT.test(name))
      throw new SettingsError(
        `WORKER_SECRET_NAMES: ${name} is one of the worker's own ClickHouse or Temporal settings, which are never sent to the API`,
      );
  }
  return [...new Set([...DEFAULT_SECRET_NAMES, ...extra])];
}

/**
 * A base URL in the form base URLs are compared in: scheme, host, port and path (without trailing
 * slashes). Undefined for anything else, and for a URL with a user, password, query or fragment,
 * which no API base URL needs.
 */
export function normalizeBaseUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash)
    return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The base URLs this worker sends credentials to, normalized; a SettingsError for one it cannot read. */
export function allowedApiBaseUrls(vars: Record<string, string>): string[] {
  const setting = vars.WORKER_API_BASE_URLS !== undefined ? 'WORKER_API_BASE_URLS' : 'CLOCKODO_BASE_URL';
  const urls = apiBaseUrlSettings(vars);
  if (urls.length === 0) throw new SettingsError(`${setting}: no API base URL is set`);
  return urls.map((text) => {
    const normalized = normalizeBaseUrl(text);
    if (normalized === undefined) {
      throw new SettingsError(
        `${setting}: must be http(s) base URLs without user, password, query or fragment, got ${shownUrl(text)}`,
      );
    }
    return normalized;
  });
}

/** "API key" or "API user", after the client.auth field a variable fills. */
export function credentialKind(field: string): string {
  return /^(user|username)$/.test(field) ? 'API user' : 'API key';
}

/** The auth references of the worker's own SOURCE_CONFIG, or the defaults when it cannot be read. */
export function sourceAuthReferences(vars: Record<string, string>): { field: string; name: string }[] {
  const defaults = [
    { field: 'username', name: 'CLOCKODO_EMAIL' },
    { field: 'password', name: 'CLOCKODO_API_KEY' },
  ];
  let auth: unknown;
  try {
    const file = path.resolve(PROJECT_ROOT, vars.SOURCE_CONFIG ?? 'config/sources/clockodo-v2.json');
    auth = (JSON.parse(readFileSync(file, 'utf8')) as { client?: { auth?: unknown } }).client?.auth;
  } catch {
    return defaults;
  }
  if (auth === null || typeof auth !== 'object') return defaults;
  return Object.entries(auth as Record<string, unknown>).flatMap(([field, value]) => {
    const name = typeof value === 'string' && field !== 'type' ? WHOLE_REFERENCE.exec(value)?.[1] : undefined;
    return name === undefined ? [] : [{ field, name }];
  });
}

/** node-fetch's agent option: a per-URL agent, undefined for Node's default. */
export type ApiAgent = (url: URL) => Agent | undefined;

/** With CLOCKODO_TLS_CA_CERT_PATH, HTTPS to the API trusts that CA besides the system's roots. */
export function apiAgent(vars: Record<string, string>): ApiAgent | undefined {
  const file = vars.CLOCKODO_TLS_CA_CERT_PATH;
  if (file === undefined) return undefined;
  if (!existsSync(file)) throw new SettingsError(`CLOCKODO_TLS_CA_CERT_PATH: no file ${file}`);
  // `ca` replaces Node's list rather than adding to it, so the public roots go in too.
  const agent = new Agent({ ca: [...rootCertificates, readFileSync(file, 'utf8')], keepAlive: true });
  return (url) => (url.protocol === 'https:' ? agent : undefined);
}

export interface WorkerCredentials {
  /** The allow-listed variables that have a value: all the activities ever see of the environment. */
  secrets: Record<string, string>;
  policy: { secretNames: string[]; apiBaseUrls: string[] };
  apiAgent?: ApiAgent;
}

/**
 * The worker's credentials, checked when it starts: its own source configuration's auth references
 * must be allow-listed and set, so a missing key is named here rather than answered by a 401 later.
 */
export function workerCredentials(vars: Record<string, string>): WorkerCredentials {
  const names = secretNames(vars);
  const apiBaseUrls = allowedApiBaseUrls(vars);
  const missing: string[] = [];
  for (const { field, name } of sourceAuthReferences(vars)) {
    if (!names.includes(name)) {
      throw new SettingsError(
        `WORKER_SECRET_NAMES: ${vars.SOURCE_CONFIG ?? 'the source configuration'} sends \${${name}} as client.auth.${field}, ` +
          `which is not on this worker's allow-list (${names.join(', ')}); add ${name} to WORKER_SECRET_NAMES`,
      );
    }
    if (!vars[name]) missing.push(`no ${credentialKind(field)} configured: set ${name}`);
  }
  if (missing.length > 0) {
    const demoNote = apiBaseUrls.every(isLoopbackUrl)
      ? ''
      : ` (the demo account is only for the local API server; this worker sends to ${apiBaseUrls.join(', ')})`;
    throw new SettingsError(`${missing.join('; ')}${demoNote}`);
  }
  const secrets: Record<string, string> = {};
  for (const name of names) if (vars[name] !== undefined) secrets[name] = vars[name];
  return { secrets, policy: { secretNames: names, apiBaseUrls }, apiAgent: apiAgent(vars) };
}
