// Runs work over a list with at most `limit` items in flight, in order (deterministic in a workflow:
// only Temporal's own promises are awaited).

/**
 * Calls `run` for `items` in order, at most `limit` at once, and stops taking new items once
 * `stop()` says so (the first is always taken). Returns the results of the items taken: a prefix.
 */
export async function pool<T, R>(
  items: T[],
  limit: number,
  run: (item: T) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !(next > 0 && stop())) {
      const i = next++;
      results[i] = await run(items[i]);
    }
  });
  await Promise.all(lanes);
  return results.slice(0, next);
}
