// Sharded dedup, first half: signatures → buckets → edges. Each input shard emits its active rows' exact keys
// (sha256) and LSH band keys to hash partitions; each partition groups its buckets and emits duplicate edges
// between global row numbers (identical values star-linked to their smallest row, distinct values within k
// linked pairwise), written to the partition of the edge's first row's owner shard, in both directions.
import { type ObjectStore } from '../../../storage/index.js';
import { type CurateColumns } from '../columns.js';
import { fmix32, hamming64, hashString32 } from '../hash.js';
import { bandKey, bandMasks, type LshParams } from '../lsh.js';
import { emptyTable, readPart, type Table, writeParts } from './table.js';

/** Exact-key signatures: sha256 and global row. */
export const EXACT_SCHEMA = { sha: 'string', g: 'number' } as const;
/** Band signatures: band, 32-bit key, global row and the hash halves (for verification). */
export const BAND_SCHEMA = { b: 'number', key: 'number', g: 'number', hi: 'number', lo: 'number' } as const;
/** Directed edges u → v between global rows (u's owner shard holds them). */
export const EDGE_SCHEMA = { u: 'number', v: 'number' } as const;

/** Global row numbering: shard s holds rows [offsets[s], offsets[s+1]). */
export interface RowSpace {
  readonly offsets: readonly number[];
}

/** The shard that holds global row g. */
export function ownerOf(space: RowSpace, g: number): number {
  let lo = 0;
  let hi = space.offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (space.offsets[mid]! <= g) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Emits one shard's signatures into `partitions` hash partitions of the `exact` and `band` stages. */
export async function emitSignatures(
  store: ObjectStore,
  prefix: string,
  shard: number,
  offset: number,
  c: CurateColumns,
  active: Uint8Array,
  opts: { exact: boolean; near: LshParams | null; partitions: number },
): Promise<void> {
  const P = opts.partitions;
  const exact = Array.from({ length: P }, () => emptyTable(EXACT_SCHEMA));
  const band = Array.from({ length: P }, () => emptyTable(BAND_SCHEMA));
  const masks = opts.near ? bandMasks(opts.near) : new Uint32Array(0);
  for (let i = 0; i < c.n; i++) {
    if (!active[i]) continue;
    if (opts.exact && c.sha256[i] !== '') {
      const t = exact[hashString32(c.sha256[i]!) % P]!;
      t.sha.push(c.sha256[i]!);
      t.g.push(offset + i);
    }
    if (!opts.near || !c.hasPhash[i]) continue;
    for (let b = 0; b < masks.length / 2; b++) {
      const key = bandKey(c.phashHi[i]!, c.phashLo[i]!, masks[2 * b]!, masks[2 * b + 1]!);
      const t = band[(fmix32(key ^ Math.imul(b + 1, 0x9e3779b1)) >>> 0) % P]!;
      t.b.push(b);
      t.key.push(key);
      t.g.push(offset + i);
      t.hi.push(c.phashHi[i]!);
      t.lo.push(c.phashLo[i]!);
    }
  }
  const producer = `s${String(shard).padStart(6, '0')}`;
  await writeParts(store, prefix, 'exact', producer, EXACT_SCHEMA, exact);
  await writeParts(store, prefix, 'band', producer, BAND_SCHEMA, band);
}

/** Groups one signature partition into buckets and writes the duplicate edges it finds; returns LSH candidates. */
export async function bucketPartition(
  store: ObjectStore,
  prefix: string,
  part: number,
  space: RowSpace,
  k: number,
): Promise<{ candidates: number }> {
  const shards = space.offsets.length - 1;
  const edges = Array.from({ length: shards }, () => emptyTable(EDGE_SCHEMA));
  const link = (a: number, b: number): void => {
    const ta = edges[ownerOf(space, a)]!;
    ta.u.push(a);
    ta.v.push(b);
    const tb = edges[ownerOf(space, b)]!;
    tb.u.push(b);
    tb.v.push(a);
  };
  const ex = await readPart(store, prefix, 'exact', part, EXACT_SCHEMA);
  const order = ex.g.map((_, x) => x);
  order.sort((x, y) => (ex.sha[x]! < ex.sha[y]! ? -1 : ex.sha[x]! > ex.sha[y]! ? 1 : ex.g[x]! - ex.g[y]!));
  let runStart = 0;
  for (let x = 1; x < order.length; x++) {
    if (ex.sha[order[x]!] !== ex.sha[order[runStart]!]) runStart = x;
    else link(ex.g[order[runStart]!]!, ex.g[order[x]!]!);
  }
  const bands = await readPart(store, prefix, 'band', part, BAND_SCHEMA);
  const candidates = nearEdges(bands, k, link);
  await writeParts(store, prefix, 'edges', `b${String(part).padStart(6, '0')}`, EDGE_SCHEMA, edges);
  return { candidates };
}

function nearEdges(t: Table<typeof BAND_SCHEMA>, k: number, link: (a: number, b: number) => void): number {
  // Sort by (band, key, hi, lo, g): a bucket is a run of equal (band, key); identical values are sub-runs.
  const order = t.g.map((_, x) => x);
  const cmp = (x: number, y: number): number =>
    t.b[x]! - t.b[y]! || t.key[x]! - t.key[y]! || t.hi[x]! - t.hi[y]! || t.lo[x]! - t.lo[y]! || t.g[x]! - t.g[y]!;
  order.sort(cmp);
  let candidates = 0;
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    const s0 = order[start]!;
    while (end < order.length && t.b[order[end]!] === t.b[s0] && t.key[order[end]!] === t.key[s0]) end++;
    // Representatives: the first (smallest) row of each distinct value in the bucket.
    const reps: number[] = [];
    for (let x = start; x < end; x++) {
      const r = order[x]!;
      const prev = reps.length > 0 ? reps[reps.length - 1]! : -1;
      if (prev >= 0 && t.hi[prev] === t.hi[r] && t.lo[prev] === t.lo[r]) link(t.g[prev]!, t.g[r]!);
      else reps.push(r);
    }
    for (let x = 0; x < reps.length; x++) {
      for (let y = x + 1; y < reps.length; y++) {
        const a = reps[x]!;
        const b = reps[y]!;
        candidates++;
        if (hamming64(t.hi[a]!, t.lo[a]!, t.hi[b]!, t.lo[b]!) <= k) link(t.g[a]!, t.g[b]!);
      }
    }
    start = end;
  }
  return candidates;
}
