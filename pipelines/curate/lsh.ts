// Near-duplicate search over 64-bit hashes by LSH banding with bit sampling: each band looks at r randomly
// chosen bit positions, rows whose sampled bits agree in some band are candidates, and candidates are
// verified by exact Hamming distance. Everything runs on typed arrays: a band is two masks, its key a mix of
// the masked halves, and a band's buckets come from sorting (key, row) packed into one float64.
import { fmix32, hamming64, mulberry32 } from './hash.js';

/** LSH parameters: distance k, bits per band r, number of bands L, and the seed choosing the bits. */
export interface LshParams {
  readonly k: number;
  readonly bitsPerBand: number;
  readonly bands: number;
  readonly seed: number;
}

/** Probability that two hashes at Hamming distance d agree on all r sampled bits of one band. */
export function bandCollisionProbability(d: number, r: number): number {
  let p = 1;
  for (let i = 0; i < r; i++) p *= Math.max(0, 64 - d - i) / (64 - i);
  return p;
}

/** Probability that a pair at distance d becomes a candidate in at least one of L bands. */
export function expectedRecall(d: number, r: number, bands: number): number {
  return 1 - Math.pow(1 - bandCollisionProbability(d, r), bands);
}

/** Chooses r from the row count (few random collisions) and L so that pairs at distance k are found with the target recall. */
export function chooseLshParams(
  n: number,
  k: number,
  targetRecall: number,
  seed: number,
  bitsPerBand?: number,
): LshParams {
  const r = bitsPerBand ?? Math.min(28, Math.max(12, Math.ceil(Math.log2(Math.max(2, n)))));
  const p = bandCollisionProbability(k, r);
  const bands = p >= 1 ? 1 : Math.max(1, Math.ceil(Math.log(1 - targetRecall) / Math.log(1 - p)));
  return { k, bitsPerBand: r, bands: Math.min(bands, 512), seed };
}

/** The (hi, lo) masks of each band's sampled bits: masks[2b], masks[2b+1]. */
export function bandMasks(params: LshParams): Uint32Array {
  const rand = mulberry32(params.seed ^ 0x5eed1234);
  const masks = new Uint32Array(params.bands * 2);
  for (let b = 0; b < params.bands; b++) {
    const bits = Array.from({ length: 64 }, (_, i) => i);
    for (let i = 0; i < params.bitsPerBand; i++) {
      const j = i + Math.floor(rand() * (64 - i));
      [bits[i], bits[j]] = [bits[j]!, bits[i]!];
      const bit = bits[i]!;
      if (bit >= 32) masks[2 * b] = (masks[2 * b]! | (1 << (bit - 32))) >>> 0;
      else masks[2 * b + 1] = (masks[2 * b + 1]! | (1 << bit)) >>> 0;
    }
  }
  return masks;
}

/** A band's 32-bit bucket key of a hash: a mix of its masked halves. */
export function bandKey(hi: number, lo: number, maskHi: number, maskLo: number): number {
  return fmix32((fmix32((hi & maskHi) ^ 0x9e3779b9) ^ (lo & maskLo)) >>> 0);
}

/**
 * Calls `onPair(i, j)` (i < j) once per pair of distinct-valued hashes within distance k that LSH finds.
 * `side` (optional) restricts pairs to those across sides (side[i] !== side[j]).
 * Rows with identical hashes must be collapsed by the caller (they would collide in every band).
 */
export function forEachNearPair(
  hi: Uint32Array,
  lo: Uint32Array,
  params: LshParams,
  onPair: (i: number, j: number) => void,
  side?: Uint8Array,
): { candidates: number; pairs: number } {
  const n = hi.length;
  if (n < 2) return { candidates: 0, pairs: 0 };
  const masks = bandMasks(params);
  const idxBits = Math.max(1, Math.ceil(Math.log2(n)));
  const keyBits = Math.min(32, 53 - idxBits);
  const idxScale = 2 ** idxBits;
  const packed = new Float64Array(n);
  const seen = new Set<number>();
  let candidates = 0;
  let pairs = 0;
  for (let b = 0; b < params.bands; b++) {
    const mh = masks[2 * b]!;
    const ml = masks[2 * b + 1]!;
    for (let i = 0; i < n; i++) {
      const key = bandKey(hi[i]!, lo[i]!, mh, ml) >>> (32 - keyBits);
      packed[i] = key * idxScale + i;
    }
    packed.sort();
    let start = 0;
    while (start < n) {
      const key = Math.floor(packed[start]! / idxScale);
      let end = start + 1;
      while (end < n && Math.floor(packed[end]! / idxScale) === key) end++;
      for (let x = start; x < end; x++) {
        const i = packed[x]! - key * idxScale;
        for (let y = x + 1; y < end; y++) {
          const j = packed[y]! - key * idxScale;
          if (side && side[i] === side[j]) continue;
          candidates++;
          if (hamming64(hi[i]!, lo[i]!, hi[j]!, lo[j]!) > params.k) continue;
          const a = Math.min(i, j);
          const c = Math.max(i, j);
          const pairKey = a * n + c;
          // A pair found in several bands is reported once (exact for n ≤ 2^26; beyond, a repeat is harmless to union-find).
          if (seen.has(pairKey)) continue;
          seen.add(pairKey);
          pairs++;
          onPair(a, c);
        }
      }
      start = end;
    }
  }
  return { candidates, pairs };
}

/** Union-find over row indices (path halving, union by smaller root index for determinism). */
export class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  /** The root of i's set. */
  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i]!]!;
      i = p[i]!;
    }
    return i;
  }
  /** Joins the sets of a and b. */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }
}
