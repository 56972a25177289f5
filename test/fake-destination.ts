// The bookkeeping the fake sources of the workflow and part tests share: which ids a read saw, and
// which a page wrote to the table for the first time.
/** A fake destination's bookkeeping of a page: its ids seen under its read, and how many were new to the table. */
export function takePage(
  seen: Map<string, Set<number>>,
  stored: Set<number>,
  readId: string,
  onPage: readonly { id: number }[],
): number {
  const ids = seen.get(readId) ?? new Set<number>();
  seen.set(readId, ids);
  let written = 0;
  for (const { id } of onPage) {
    ids.add(id);
    if (!stored.has(id)) written++;
    stored.add(id);
  }
  return written;
}

/** The counts of a page result whose every record was kept: written (new) or unchanged. */
export const pageCounts = (page: number, records: number, written: number, retries: number) => ({
  page,
  records,
  written,
  unchanged: records - written,
  stale: 0,
  quarantined: 0,
  shapeWarnings: 0,
  retries,
});
