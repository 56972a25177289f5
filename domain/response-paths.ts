// Reading a JSON response by dotted paths: the records under data_selector, and the paging facts.

/** The value at a dotted path (`paging.count_pages`) or at a path's keys; undefined where it stops. */
export function readPath(doc: unknown, path: string | readonly string[]): unknown {
  let value = doc;
  for (const key of typeof path === 'string' ? path.split('.') : path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The records of a response: the list at the first of the selectors the response has, or undefined
 * when none of them holds a list.
 */
export function readRecords(doc: unknown, selectors: string[]): unknown[] | undefined {
  for (const selector of selectors) {
    const value = readPath(doc, selector);
    if (Array.isArray(value)) return value as unknown[];
  }
  return undefined;
}
