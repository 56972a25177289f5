// Checked before every request (activities/http-client.ts getJson): the input names the base URL,
// the paths and the variables to send, but only the worker's policy says where its credentials may go
// and which of its settings are credentials. Sending the key to a URL of the input's choosing would be
// the leak, so a mismatch fails the activity at once (non-retryable), naming the setting of the worker
// that would allow it.
import { ApplicationFailure } from '@temporalio/activity';
import type { ClientConfig } from '../domain/source-config';
import { isCertificateError } from '../config/certificate-errors';
import { isUnderAllowedBase } from '../config/request-url';
import { shownUrl } from '../config/shown-url';
import { normalizeBaseUrl } from '../config/worker-credentials';
import { WHOLE_REFERENCE } from '../domain/names';

export interface CredentialPolicy {
  /** Variables the worker resolves in client.auth (DEFAULT_SECRET_NAMES and WORKER_SECRET_NAMES). */
  secretNames: readonly string[];
  /** Normalized base URLs the worker sends credentials to (CLOCKODO_BASE_URL or WORKER_API_BASE_URLS). */
  apiBaseUrls: readonly string[];
}

export function checkCredentialUse(client: ClientConfig, policy: CredentialPolicy): void {
  const base = normalizeBaseUrl(client.base_url);
  if (base === undefined || !policy.apiBaseUrls.includes(base)) {
    const shown = shownUrl(client.base_url);
    throw ApplicationFailure.nonRetryable(
      `client.base_url: this worker sends its API credentials only to ${policy.apiBaseUrls.join(', ')}, not to ${shown}; ` +
        `to read from ${shown}, set CLOCKODO_BASE_URL (or add it to WORKER_API_BASE_URLS) in the worker's settings`,
      'ApiBaseUrlNotAllowed',
    );
  }
  for (const [field, value] of Object.entries(client.auth)) {
    if (field === 'type') continue;
    const name = WHOLE_REFERENCE.exec(value)?.[1];
    // The value itself is not repeated: it might be a literal secret.
    if (name === undefined)
      throw ApplicationFailure.nonRetryable(
        `client.auth.${field}: must be a reference such as \${CLOCKODO_API_KEY}; this worker sends no literal credentials`,
        'SecretNotAllowed',
      );
    if (!policy.secretNames.includes(name))
      throw ApplicationFailure.nonRetryable(
        `client.auth.${field}: \${${name}} is not on this worker's list of secrets it sends (${policy.secretNames.join(', ')}); ` +
          `if the API needs it, add ${name} to WORKER_SECRET_NAMES in the worker's settings`,
        'SecretNotAllowed',
      );
  }
}

/**
 * The joined request URL (base URL, path, parameters) must lie under an allowed base URL: a path such
 * as `.evil.example/x` or `@evil.example/x` would move the host, `/../admin` the path.
 */
export function checkRequestUrl(url: string, policy: CredentialPolicy): void {
  if (isUnderAllowedBase(url, policy.apiBaseUrls)) return;
  throw ApplicationFailure.nonRetryable(
    `the request would go to ${shownUrl(url)}, outside the API base URLs this worker sends its credentials to ` +
      `(${policy.apiBaseUrls.join(', ')}); check client.base_url and the endpoint's path`,
    'RequestUrlNotAllowed',
  );
}

/**
 * Why a request that got no answer must not be tried again with the credentials: the server's
 * certificate cannot be verified, or it redirected elsewhere. Undefined for other failures.
 */
export function untrustedAnswer(e: unknown): string | undefined {
  const err = e as { code?: string; type?: string };
  // The worker cannot tell whom it would be sending the key to.
  if (isCertificateError(err.code))
    return (
      `cannot verify the API's TLS certificate (${err.code}), so the credentials were not sent; ` +
      `if a private CA signed it, set CLOCKODO_TLS_CA_CERT_PATH on the worker to that CA's certificate`
    );
  if (err.type === 'no-redirect')
    return (
      'answered with a redirect, which the worker does not follow with its credentials; ' +
      'set CLOCKODO_BASE_URL to the address the API redirects to'
    );
  return undefined;
}
