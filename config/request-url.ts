// Where a request may go. The workflow input names the base URL and each endpoint's path, and anyone
// who may start a workflow writes that input; the request URL is the two joined. So the path is held
// to a plain shape when the configuration is checked, and the joined URL is checked again on the
// worker, against its own allowed base URLs, right before the credentials go out.

/** Why an endpoint path cannot be joined to a base URL safely, or undefined when it can. */
export function endpointPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (path.startsWith('//')) return 'must not start with "//"';
  if (path.length > 500) return 'must be at most 500 characters';
  // eslint-disable-next-line no-control-regex
  if (/[?#\\\s\u0000-\u001f\u007f]/.test(path))
    return 'must not hold ?, #, \\, spaces or control characters (parameters go in params)';
  // Servers may decode these and then walk out of the API's path.
  if (/%(2e|2f|5c)/i.test(path)) return 'must not hold encoded dots or slashes (%2e, %2f, %5c)';
  if (path.split('/').some((segment) => segment === '.' || segment === '..'))
    return 'must not hold "." or ".." segments';
  return undefined;
}

/** An allowed base URL as compared: its origin and its path without trailing slashes. */
interface Base {
  origin: string;
  path: string;
}

function baseOf(normalized: string): Base {
  const url = new URL(normalized);
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
}

/**
 * Whether a request URL lies under one of the allowed base URLs (normalized, as
 * normalizeBaseUrl gives them): same scheme, host and port, no user or password, and a path inside
 * the base's path once `.` and `..` are resolved.
 */
export function isUnderAllowedBase(requestUrl: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return false;
  }
  if (url.username || url.password || endpointPathProblem(url.pathname) !== undefined) return false;
  return allowed
    .map(baseOf)
    .some(
      (base) =>
        url.origin === base.origin &&
        (base.path === '' || url.pathname === base.path || url.pathname.startsWith(`${base.path}/`)),
    );
}
