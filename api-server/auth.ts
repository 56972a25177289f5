// Authentication: HTTP Basic (email:apiKey) or X-ClockodoApiUser/X-ClockodoApiKey headers.
import { createHash, timingSafeEqual } from 'crypto';
import { IncomingHttpHeaders } from 'http';

export interface ApiCredentials {
  email: string;
  apiKey: string;
}

/** Constant-time comparison; hashing first makes unequal lengths take the same time too. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function matches(given: ApiCredentials, expected: ApiCredentials): boolean {
  // Evaluate both halves: no early exit that would reveal which one was wrong.
  const emailOk = safeEqual(given.email, expected.email);
  const keyOk = safeEqual(given.apiKey, expected.apiKey);
  return emailOk && keyOk;
}

function basicCredentials(header: string | undefined): ApiCredentials | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { email: decoded.slice(0, colon), apiKey: decoded.slice(colon + 1) };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** True when either authentication scheme carries the expected credentials. */
export function isAuthenticated(headers: IncomingHttpHeaders, expected: ApiCredentials): boolean {
  let ok = false;
  const basic = basicCredentials(headerValue(headers, 'authorization'));
  if (basic && matches(basic, expected)) ok = true;
  const user = headerValue(headers, 'x-clockodoapiuser');
  const key = headerValue(headers, 'x-clockodoapikey');
  if (user !== undefined && key !== undefined && matches({ email: user, apiKey: key }, expected)) ok = true;
  return ok;
}
