// Histories searched for secrets: payloads are bytes, so they are decoded before the search.

/** A history as JSON, with every byte string (payloads, their metadata) decoded as text. */
export function historyText(history: unknown): string {
  // Walked before JSON.stringify, which would call Buffer's toJSON (an array of numbers) first.
  const decoded = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return { text: Buffer.from(value).toString('utf8') };
    if (Array.isArray(value)) return value.map(decoded);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decoded(v)]));
    return value;
  };
  return JSON.stringify(decoded(history));
}
