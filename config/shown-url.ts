// The one way a URL from the settings or the input is shown in output, logs and errors: scheme,
// host, port and path only. A user or password in it, or a query or fragment (which may carry a
// token), is dropped; text that does not read as a URL is not repeated at all, since it may be a
// secret pasted into the wrong setting.
export function shownUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return '(a value that is not a URL)';
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  const hidden = [url.username || url.password ? 'credentials' : '', url.search || url.hash ? 'query' : '']
    .filter(Boolean)
    .join(' and ');
  return `${url.protocol}//${url.host}${path}${hidden ? ` (${hidden} not shown)` : ''}`;
}
