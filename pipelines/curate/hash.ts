// Small, fast, seedable hashes for deterministic sampling and bit tricks on 64-bit perceptual hashes
// held as two uint32 halves (typed arrays; no bigint in hot loops).

/** 32-bit FNV-1a of a string mixed with a seed, finalized with murmur3's fmix32. */
export function hashString32(s: string, seed = 0): number {
  return fnv1aMix32(s, 0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1));
}

/** FNV-1a over a string's UTF-16 code units from the 32-bit state `start`, finalized with fmix32. */
export function fnv1aMix32(s: string, start: number): number {
  let h = start >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3 32-bit finalizer: a bijective avalanche of a uint32. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) determined by (string, seed). */
export function uniformOf(s: string, seed: number): number {
  return hashString32(s, seed) / 4294967296;
}

/** Number of set bits in a uint32. */
export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Hamming distance between two 64-bit values given as (hi, lo) uint32 halves. */
export function hamming64(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return popcount32((aHi ^ bHi) >>> 0) + popcount32((aLo ^ bLo) >>> 0);
}

/** Splits an unsigned 64-bit bigint into its high and low uint32 halves. */
export function splitU64(x: bigint): [number, number] {
  const u = BigInt.asUintN(64, x);
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

/** Joins (hi, lo) uint32 halves into an unsigned 64-bit bigint. */
export function joinU64(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export { mulberry32 } from '../random.js';

/** A 53-bit-precision uniform in [0, 1) from (string, seed): ties between distinct ids are practically impossible. */
export function uniform53(s: string, seed: number): number {
  return (hashString32(s, seed) * 2097152 + (hashString32(s, seed ^ 0x7f4a7c15) >>> 11)) / 9007199254740992;
}
