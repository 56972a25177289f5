// GET a JSON document from the source API, with auth resolved on the worker, and every failure
// turned into a Temporal ApplicationFailure that the retry policy understands:
// fail-fast statuses are non-retryable; others retry, with Retry-After as the next delay.
import { Agent as HttpAgent } from 'http';
import { Agent as HttpsAgent } from 'https';
import fetch, { Response } from 'node-fetch';
import { ApplicationFailure } from '@temporalio/activity';
import type { AuthConfig, ClientConfig, RetryConfig } from '../domain/source-config';
import { ApiAgent, credentialKind } from '../config/worker-credentials';
import { checkCredentialUse, checkRequestUrl, CredentialPolicy, untrustedAnswer } from './credential-guard';
import { referencesIn, WHOLE_REFERENCE } from '../domain/names';

export type Secrets = Record<string, string | undefined>;

/** What a worker holds to call the API: its secrets, where they may go, and its TLS agent. */
export interface ApiAccess {
  secrets: Secrets;
  credentialPolicy: CredentialPolicy;
  /** CLOCKODO_TLS_CA_CERT_PATH's agent, if set. */
  apiAgent?: ApiAgent;
}

/** `secrets` holds only the worker's allow-listed variables (config/worker-credentials.ts). */
export function resolveSecret(reference: string, secrets: Secrets, field: string): string {
  const name = WHOLE_REFERENCE.exec(reference)?.[1];
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
// Temporal takes a next-retry delay of 0 as "no more retries": "Retry-After: 0", or a date just
// passed, would end the page's attempts. A moment instead.
const MIN_RETRY_AFTER_MS = 100;

/** What an answer's body says, in a line: the API's error message, or what kind of page came instead. */
function bodyInBrief(text: string, contentType: string | null): string {
  try {
    const msg = (JSON.parse(text) as { error?: { message?: unknown; fields?: unknown } }).error;
    if (msg && typeof msg.message === 'string') {
      const fields =
        Array.isArray(msg.fields) && msg.fields.length ? ` (fields: ${msg.fields.join(', ')})` : '';
      return `${msg.message}${fields}`.slice(0, 300);
    }
  } catch {
    // Not JSON: a proxy's HTML page, say.
  }
  // A proxy's or maintenance page: its title says enough; its 2 KB of markup would drown the message.
  if (/html/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body)\b/i.test(text)) {
    const title = /<title[^>]*>([^<]*)</i.exec(text)?.[1] ?? /<h1[^>]*>([^<]*)</i.exec(text)?.[1];
    const brief = title?.replace(/\s+/g, ' ').trim().slice(0, 80);
    return `an HTML page, not the API's JSON${brief ? ` ("${brief}")` : ''}`;
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || '(empty body)';
}

const CONNECTION_ERRORS: Record<string, string> = {
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'the connection was refused',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection broke',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name is unknown',
  EAI_AGAIN: 'the host name could not be looked up',
  ERR_STREAM_PREMATURE_CLOSE: 'the connection closed early',
};

/** Why a connection or a body read failed, without node-fetch's URL (the message names the request). */
function reasonOf(e: unknown): string {
  const err = e as Error & { code?: string };
  const raw = err.message ?? String(e);
  const reason =
    /failed, reason: (.*)$/s.exec(raw)?.[1] ?? /while trying to fetch \S+: (.*)$/s.exec(raw)?.[1] ?? raw;
  const known = err.code ? CONNECTION_ERRORS[err.code] : undefined;
  return known ? `${known} (${reason.trim()})` : reason.trim();
}

/** What the operator can do about a status that fails at once. */
function hintFor(status: number, client: ClientConfig): string {
  if (status === 401) {
    const names = Object.values(client.auth).flatMap((v) =>
      typeof v === 'string' ? [...v.matchAll(referencesIn())].map((m) => m[1]) : [],
    );
    return ` (the worker's ${names.length ? names.join(' and ') : 'credentials'} were refused)`;
  }
  if (status === 403) return ' (the API user lacks the rights to read this)';
  if (status === 404) return ' (check client.base_url and the endpoint path)';
  return '';
}

/** Values of the auth headers that must never appear in a message, even if a server echoes them. */
function secretValues(headers: Record<string, string>): string[] {
  return Object.values(headers).flatMap((value) => {
    const basic = /^Basic (.+)$/.exec(value)?.[1];
    if (basic === undefined) return [value];
    const decoded = Buffer.from(basic, 'base64').toString();
    return [basic, decoded.slice(decoded.indexOf(':') + 1)];
  });
}

// Connections are reused from page to page (node-fetch's default opens one per request): a new TCP
// and TLS handshake per page costs more than the page itself on a fast link. An idle connection is
// closed after 4 s, before servers close theirs (Node's and many proxies' default is 5 s): a request
// sent on a connection the server is closing that moment would fail with a reset.
const IDLE_CLOSE_MS = 4000;
const KEEP_ALIVE = {
  http: new HttpAgent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_CLOSE_MS }),
  https: new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_CLOSE_MS }),
};

/** The agent for a request: the worker's own (a private CA), else a keep-alive one. */
function agentFor(custom: ApiAgent | undefined): (url: URL) => HttpAgent {
  return (url) => custom?.(url) ?? (url.protocol === 'https:' ? KEEP_ALIVE.https : KEEP_ALIVE.http);
}

export interface GetJsonOptions {
  client: ClientConfig;
  retry: RetryConfig;
  secrets: Secrets;
  /** Where the worker sends those secrets: every request is checked against it first. */
  policy: CredentialPolicy;
  /** CLOCKODO_TLS_CA_CERT_PATH's agent, when the worker has one. */
  agent?: ApiAgent;
  /** The activity's cancellation: ends the request, and the failure is the cancellation. */
  signal?: AbortSignal;
}

/**
 * Whether an error status is retried: the ones in retry.retry_on_status, and, for statuses in
 * neither list, those that say "later" (5xx, 408, 425); any other 4xx will not heal by waiting.
 */
export function retriesStatus(retry: RetryConfig, status: number): boolean {
  if (retry.retry_on_status.includes(status)) return true;
  if (retry.fail_fast_on_status.includes(status)) return false;
  return status >= 500 || status === 408 || status === 425;
}

/** `url` has no secrets in it (auth travels in headers), so it can appear in error messages. */
export async function getJson(url: string, describe: string, opts: GetJsonOptions): Promise<unknown> {
  const { client, retry } = opts;
  // The one place credentials leave the worker: its policy decides, not the input.
  checkCredentialUse(client, opts.policy);
  checkRequestUrl(url, opts.policy);
  const auth = authHeaders(client.auth, opts.secrets);
  const hidden = secretValues(auth).filter((v) => v.length >= 4);
  const redact = (message: string) => hidden.reduce((m, v) => m.split(v).join('[redacted]'), message);
  const failure = (message: string, type: string, nonRetryable = false, nextRetryDelay?: number) =>
    ApplicationFailure.create({
      message: redact(`${describe}: ${message}`),
      type,
      nonRetryable,
      nextRetryDelay,
    });

  // One deadline for the headers and the whole body. node-fetch's own `timeout` starts again for the
  // body and leaves a stalled connection open after giving up on it.
  const timeoutSeconds = client.request_timeout_seconds;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutSeconds * 1000);
  const cancel = () => deadline.abort();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  let res: Response | undefined;
  // A cancelled activity fails with its cancellation, so Temporal sees it as cancelled, not failed.
  const interrupted = (e: unknown, stage: string): Error | undefined => {
    if (opts.signal?.aborted) return opts.signal.reason instanceof Error ? opts.signal.reason : (e as Error);
    if (deadline.signal.aborted) {
      return failure(`${stage} within ${timeoutSeconds} s (client.request_timeout_seconds)`, 'HttpTimeout');
    }
    return undefined;
  };
  try {
    try {
      res = await fetch(url, {
        headers: { Accept: 'application/json', ...client.headers, ...auth },
        signal: deadline.signal,
        agent: agentFor(opts.agent),
        // A redirect would carry the key headers to wherever it points (node-fetch keeps X-* headers).
        redirect: 'error',
      });
    } catch (e) {
      const untrusted = untrustedAnswer(e);
      throw (
        interrupted(e, 'no answer') ??
        (untrusted
          ? failure(untrusted, 'ApiNotTrusted', true)
          : failure(`no answer: ${reasonOf(e)}`, 'HttpNetworkError'))
      );
    }
    const answered = `answered ${res.status} ${res.statusText}`;
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw (
        interrupted(e, `${answered} but the body did not finish`) ??
        failure(`${answered} but the body broke off: ${reasonOf(e)}`, 'HttpBodyError')
      );
    }
    if (res.ok) {
      try {
        return JSON.parse(text);
      } catch (e) {
        const parseError = (e as Error).message;
        const contentType = res.headers.get('content-type');
        const brief = bodyInBrief(text, contentType);
        const html = brief.startsWith('an HTML page');
        // V8 reports a body cut short as an end of input, or as an error at its very end.
        const at = Number(/at position (\d+)/.exec(parseError)?.[1] ?? -1);
        const what = !text.trim()
          ? 'an empty body, not JSON'
          : /end of JSON input|Unterminated/i.test(parseError) || at >= text.trimEnd().length
            ? `JSON that breaks off after ${Buffer.byteLength(text)} bytes (${parseError})`
            : html
              ? brief
              : `not JSON (${parseError}): ${brief.slice(0, 80)}`;
        throw failure(`${answered}: ${what}`, html ? 'HtmlResponse' : 'InvalidJsonResponse');
      }
    }
    const brief = bodyInBrief(text, res.headers.get('content-type'));
    // "answered 502 Bad Gateway: Bad Gateway" says it twice.
    const says = brief === res.statusText ? '' : `: ${brief}`;
    const type = `HttpStatus${res.status}`;
    if (retry.fail_fast_on_status.includes(res.status))
      throw failure(`${answered}${says}${hintFor(res.status, client)}`, type, true);
    if (!retriesStatus(retry, res.status))
      throw failure(`${answered}${says} (not in retry.retry_on_status: not retried)`, type, true);
    const retryAfter = res.headers.get('retry-after');
    const wait = retry.respect_retry_after ? parseRetryAfter(retryAfter) : undefined;
    throw failure(
      `${answered}${says}${retryAfter === null ? '' : ` (Retry-After: ${retryAfter.slice(0, 40)})`}`,
      type,
      false,
      wait === undefined ? undefined : Math.min(Math.max(wait, MIN_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS),
    );
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', cancel);
  }
}
