// The one seeded PRNG every stage uses (loader augmentations, curation shuffles, distillation masks), so the same
// seed means the same stream everywhere, and the one Fisher–Yates shuffle.

/** Deterministic PRNG (mulberry32): floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `items` in place with the given random stream (the one shuffle every stage uses). */
export function shuffleInPlace<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** `n` deterministic bytes: the low 8 bits of each mulberry32 output (test images, benchmark fixtures). */
export function randomBytes(n: number, seed: number): Buffer {
  const rand = mulberry32(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 4294967296) & 255;
  return out;
}
