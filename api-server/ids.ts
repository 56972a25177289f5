// Id pools: positive, unique, with gaps, a few near 2^31, handed out in shuffled order so that
// id order says nothing about time order (a client must not use ids as a cursor).
import { Rng } from './random';

/** Largest signed 32-bit int: the top of an INT column in the API's database. */
export const MAX_INT32 = 2147483647;

/**
 * Returns `count` distinct ids in random order. Ids start near `base` with random gaps; up to a third of
 * the pool (at most `largeIds.length`) is replaced by the given ids near 2^31.
 */
export function idPool(rng: Rng, count: number, base: number, largeIds: readonly number[]): number[] {
  const ids: number[] = [];
  let id = base + rng.int(0, 97);
  for (let i = 0; i < count; i++) {
    ids.push(id);
    id += rng.chance(0.55) ? 1 : rng.int(2, 40);
  }
  // Guarantee at least one gap even when every step happened to be 1.
  if (count >= 2 && ids[count - 1] - ids[0] === count - 1) ids[count - 1] += 3;
  const large = [...largeIds].sort((a, b) => a - b).slice(-Math.floor(count / 3));
  for (let i = 0; i < large.length; i++) ids[count - large.length + i] = large[i];
  return rng.shuffle(ids);
}

export function byId<T extends { id: number }>(a: T, b: T): number {
  return a.id - b.id;
}
