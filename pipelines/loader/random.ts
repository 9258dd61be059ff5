// Keyed randomness: every random choice of the loader is a pure function of (seed, keys), so any batch can be
// recomputed from its position alone — the basis of exact mid-epoch resume.
import { fnv1aMix32 } from '../curate/hash.js';
import { mulberry32, shuffleInPlace } from '../random.js';

/** FNV-1a over the seed and keys, finished with a murmur3 mix: a 32-bit hash of a key path. */
export function hashKeys(seed: number, ...keys: readonly (string | number)[]): number {
  // hashString32's core; the seed enters the start state unmixed, as every saved loader position assumes.
  return fnv1aMix32(keys.join('\u0000'), 0x811c9dc5 ^ (seed >>> 0));
}

/** A mulberry32 stream seeded by a hash of (seed, keys); returns floats in [0, 1). */
export function keyedRandom(seed: number, ...keys: readonly (string | number)[]): () => number {
  return mulberry32(hashKeys(seed, ...keys));
}

/** Fisher–Yates shuffle of a copy of `items` with the given random stream. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  return shuffleInPlace([...items], rand);
}
