// `host:port` as Temporal's address and the worker's metrics address take it: a name, an IPv4
// address or a bracketed IPv6 one, and a port from 1 to 65535.
import { isIPv4, isIPv6 } from 'net';
import { SettingsError } from './settings-error';
import { shownUrl } from './shown-url';

export interface HostPort {
  /** The host as a socket takes it (an IPv6 address without its brackets). */
  host: string;
  port: number;
}

/** A DNS name: labels of letters, digits, `-` and `_`, none starting or ending with `-`. */
const NAME =
  /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

export function parseHostPort(text: string): HostPort | undefined {
  const m = /^(\[([^\]]+)\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  if (m[2] !== undefined) return isIPv6(m[2]) ? { host: m[2], port } : undefined;
  const host = m[1];
  // All digits and dots must be an IPv4 address (999.1.1.1 is not a name either).
  if (/^[\d.]+$/.test(host)) return isIPv4(host) ? { host, port } : undefined;
  return NAME.test(host) ? { host, port } : undefined;
}

/**
 * The address of a `host:port` setting, or a SettingsError naming it. The bad value is not repeated
 * (a URL with credentials or a pasted key may sit there), except as the one way URLs are shown.
 */
export function hostPortSetting(text: string, setting: string, example: string): HostPort {
  const parsed = parseHostPort(text);
  if (parsed) return parsed;
  const url = /^\s*[a-z][a-z0-9+.-]*:\/\//i.test(text) ? ` (got a URL: ${shownUrl(text)})` : '';
  throw new SettingsError(
    `${setting}: must be host:port without a scheme (a name, an IPv4 address or an [IPv6] address, ` +
      `port 1-65535), e.g. ${example}${url}`,
  );
}
