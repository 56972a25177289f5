// GET a JSON document from the source API, with auth resolved on the worker, and every failure
// turned into a Temporal ApplicationFailure that the retry policy understands:
// fail-fast statuses are non-retryable; others retry, with Retry-After as the next delay.
import fetch, { Response } from 'node-fetch';
import { ApplicationFailure } from '@temporalio/activity';
import type { AuthConfig, ClientConfig, RetryConfig } from '../config/source-config-types';
import { ApiAgent, credentialKind } from '../config/worker-credentials';
import { untrustedAnswer } from './credential-guard';

export type Secrets = Record<string, string | undefined>;

const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** `secrets` holds only the worker's allow-listed variables (config/worker-credentials.ts). */
export function resolveSecret(reference: string, secrets: Secrets, field: string): string {
  const name = REFERENCE.exec(reference)?.[1];
  // A literal is not repeated: it might be the secret itself.
  if (name === undefined)
    throw ApplicationFailure.nonRetryable(
      `client.auth.${field}: must be a reference such as \${CLOCKODO_API_KEY}, not a literal`,
      'MissingSecret',
    );
  const value = secrets[name];
  if (value === undefined || value === '') {
    throw ApplicationFailure.nonRetryable(
      `client.auth.${field}: no ${credentialKind(field)} configured: set ${name} in the worker's environment (for \${${name}})`,
      'MissingSecret',
    );
  }
  return value;
}

export function authHeaders(auth: AuthConfig, secrets: Secrets): Record<string, string> {
  if (auth.type === 'basic') {
    const user = resolveSecret(auth.username, secrets, 'username');
    const password = resolveSecret(auth.password, secrets, 'password');
    return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
  }
  return {
    'X-ClockodoApiUser': resolveSecret(auth.user, secrets, 'user'),
    'X-ClockodoApiKey': resolveSecret(auth.api_key, secrets, 'api_key'),
  };
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  // Only an HTTP date is left (it names a weekday and a month); "1.5" or "-1" would parse as dates.
  if (!/[A-Za-z]{3}/.test(header)) return undefined;
  const at = Date.parse(header);
  return isNaN(at) ? undefined : Math.max(0, at - now);
}

// A server may ask for long pauses; past this we stop trusting it and let backoff decide.
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

async function errorMessageOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const msg = (JSON.parse(text) as { error?: { message?: unknown; fields?: unknown } }).error;
    if (msg && typeof msg.message === 'string') {
      const fields =
        Array.isArray(msg.fields) && msg.fields.length ? ` (fields: ${msg.fields.join(', ')})` : '';
      return `${msg.message}${fields}`.slice(0, 300);
    }
  } catch {
    // Not JSON: a proxy's HTML page, say. Its first words still help.
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || '(empty body)';
}

export interface GetJsonOptions {
  client: ClientConfig;
  retry: RetryConfig;
  secrets: Secrets;
  /** CLOCKODO_TLS_CA_CERT_PATH's agent, when the worker has one. */
  agent?: ApiAgent;
  signal?: AbortSignal;
}

/** `url` has no secrets in it (auth travels in headers), so it can appear in error messages. */
export async function getJson(url: string, describe: string, opts: GetJsonOptions): Promise<unknown> {
  const { client, retry } = opts;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Accept: 'application/json', ...client.headers, ...authHeaders(client.auth, opts.secrets) },
      timeout: client.request_timeout_seconds * 1000,
      signal: opts.signal as never,
      agent: opts.agent,
      // A redirect would carry the key headers to wherever it points (node-fetch keeps X-* headers).
      redirect: 'error',
    });
  } catch (e) {
    if (e instanceof ApplicationFailure) throw e;
    const untrusted = untrustedAnswer(e);
    if (untrusted) throw ApplicationFailure.nonRetryable(`${describe}: ${untrusted}`, 'ApiNotTrusted');
    throw ApplicationFailure.retryable(
      `${describe}: request failed: ${(e as Error).message}`,
      'HttpNetworkError',
    );
  }
  if (res.ok) {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw ApplicationFailure.retryable(
        `${describe}: answered ${res.status} with a body that is not JSON: ${text.slice(0, 120)}`,
        'InvalidJsonResponse',
      );
    }
  }
  const message = `${describe}: answered ${res.status} ${res.statusText}: ${await errorMessageOf(res)}`;
  const type = `HttpStatus${res.status}`;
  if (retry.fail_fast_on_status.includes(res.status)) throw ApplicationFailure.nonRetryable(message, type);
  const wait = retry.respect_retry_after ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
  throw ApplicationFailure.create({
    message,
    type,
    nextRetryDelay: wait === undefined ? undefined : Math.min(wait, MAX_RETRY_AFTER_MS),
  });
}
