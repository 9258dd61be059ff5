// Exact (sha256) and near (perceptual hash within k) duplicate removal, within the rows and against
// reference hash sets (earlier curated versions, evaluation sets). Clusters are connected components of
// duplicate pairs; each keeps one deterministic survivor (largest image, then smallest id) that takes the other
// members' captions as alternative alt-texts.
import { type CurateColumns } from './columns.js';
import { forEachNearPair, type LshParams, UnionFind } from './lsh.js';

/** Distinct 64-bit values among the given rows and, for each row, the index of its value. */
export interface CollapsedHashes {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  /** For rows[x], the distinct-value index. */
  readonly valueOf: Int32Array;
}

/** Groups rows by identical 64-bit hash (sort-based; no per-row objects). */
export function collapseHashes(hi: Uint32Array, lo: Uint32Array, rows: Int32Array): CollapsedHashes {
  const m = rows.length;
  const order = Int32Array.from({ length: m }, (_, x) => x);
  order.sort((a, b) => {
    const ra = rows[a]!;
    const rb = rows[b]!;
    return hi[ra]! - hi[rb]! || lo[ra]! - lo[rb]! || a - b;
  });
  const valueOf = new Int32Array(m);
  const dHi: number[] = [];
  const dLo: number[] = [];
  for (let x = 0; x < m; x++) {
    const r = rows[order[x]!]!;
    const last = dHi.length - 1;
    if (last < 0 || dHi[last] !== hi[r] || dLo[last] !== lo[r]) {
      dHi.push(hi[r]!);
      dLo.push(lo[r]!);
    }
    valueOf[order[x]!] = dHi.length - 1;
  }
  return { hi: Uint32Array.from(dHi), lo: Uint32Array.from(dLo), valueOf };
}

/** Result of within-set dedup over the active rows. */
export interface DedupResult {
  /** For every row: its cluster survivor (itself when unique or the survivor), −1 when inactive. */
  readonly survivorOf: Int32Array;
  /** Drop reason per row: 0 kept, 1 exact duplicate, 2 near duplicate. */
  readonly dropKind: Uint8Array;
  /** Cluster sizes (≥ 2) and how many rows each kind removed. */
  readonly clusters: number;
  readonly clusterSizes: number[];
  readonly exactRemoved: number;
  readonly nearRemoved: number;
  readonly lshCandidates: number;
  readonly nearPairs: number;
}

/** Finds duplicate clusters among rows with `active[i] = 1` and picks one survivor per cluster. */
export function dedupRows(
  c: CurateColumns,
  active: Uint8Array,
  opts: { exact: boolean; near: LshParams | null },
): DedupResult {
  const n = c.n;
  const uf = new UnionFind(n);
  if (opts.exact) {
    const firstOf = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (!active[i] || c.sha256[i] === '') continue;
      const f = firstOf.get(c.sha256[i]!);
      if (f === undefined) firstOf.set(c.sha256[i]!, i);
      else uf.union(f, i);
    }
  }
  let lshCandidates = 0;
  let nearPairs = 0;
  if (opts.near) {
    const rows = activeRowsWith(active, c.hasPhash);
    const col = collapseHashes(c.phashHi, c.phashLo, rows);
    // Rows sharing a hash value are duplicates at distance 0; link each to the first row with that value.
    const repRow = new Int32Array(col.hi.length).fill(-1);
    for (let x = 0; x < rows.length; x++) {
      const v = col.valueOf[x]!;
      if (repRow[v] === -1) repRow[v] = rows[x]!;
      else uf.union(repRow[v]!, rows[x]!);
    }
    const stats = forEachNearPair(col.hi, col.lo, opts.near, (a, b) => uf.union(repRow[a]!, repRow[b]!));
    lshCandidates = stats.candidates;
    nearPairs = stats.pairs;
  }
  // Survivor per component: largest stored image, then smallest id (order-independent).
  const best = new Int32Array(n).fill(-1);
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    const r = uf.find(i);
    size[r]!++;
    const b = best[r]!;
    if (b === -1 || better(c, i, b)) best[r] = i;
  }
  const survivorOf = new Int32Array(n).fill(-1);
  const dropKind = new Uint8Array(n);
  let exactRemoved = 0;
  let nearRemoved = 0;
  const clusterSizes: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    const r = uf.find(i);
    const s = best[r]!;
    survivorOf[i] = s;
    if (i === r && size[r]! > 1) clusterSizes.push(size[r]!);
    if (s !== i) {
      const exact = c.sha256[i] !== '' && c.sha256[i] === c.sha256[s];
      dropKind[i] = exact ? 1 : 2;
      if (exact) exactRemoved++;
      else nearRemoved++;
    }
  }
  return {
    survivorOf,
    dropKind,
    clusters: clusterSizes.length,
    clusterSizes,
    exactRemoved,
    nearRemoved,
    lshCandidates,
    nearPairs,
  };
}

function better(c: CurateColumns, i: number, j: number): boolean {
  const pi = c.width[i]! * c.height[i]!;
  const pj = c.width[j]! * c.height[j]!;
  if (pi !== pj) return pi > pj;
  return c.id[i]! < c.id[j]!;
}

function activeRowsWith(active: Uint8Array, has: Uint8Array): Int32Array {
  let m = 0;
  for (let i = 0; i < active.length; i++) if (active[i] && has[i]) m++;
  const rows = new Int32Array(m);
  m = 0;
  for (let i = 0; i < active.length; i++) if (active[i] && has[i]) rows[m++] = i;
  return rows;
}

/** Alternative captions for each survivor: its members' distinct captions other than its own, at most `max`. */
export function mergedCaptions(c: CurateColumns, survivorOf: Int32Array, max: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (let i = 0; i < c.n; i++) {
    const s = survivorOf[i]!;
    if (s < 0 || s === i) continue;
    const cap = c.caption[i]!;
    if (cap === c.caption[s]) continue;
    let list = out.get(s);
    if (!list) out.set(s, (list = []));
    if (list.length < max && !list.includes(cap)) list.push(cap);
  }
  // Deterministic order regardless of row order.
  for (const list of out.values()) list.sort();
  return out;
}

/** Reference hashes to match against (an earlier curated version's index or an evaluation set). */
export interface HashSet {
  readonly name: string;
  readonly sha256: readonly string[];
  readonly phashHi: Uint32Array;
  readonly phashLo: Uint32Array;
}

/** Marks active rows that equal (sha256) or are within k (phash) of any reference hash; returns the flags. */
export function matchReference(
  c: CurateColumns,
  active: Uint8Array,
  ref: HashSet,
  near: LshParams | null,
  exact: boolean,
): Uint8Array {
  const hit = new Uint8Array(c.n);
  if (exact && ref.sha256.length > 0) {
    const shas = new Set(ref.sha256.filter((s) => s !== ''));
    for (let i = 0; i < c.n; i++) if (active[i] && c.sha256[i] !== '' && shas.has(c.sha256[i]!)) hit[i] = 1;
  }
  if (near && ref.phashHi.length > 0) {
    const rows = activeRowsWith(active, c.hasPhash);
    const q = collapseHashes(c.phashHi, c.phashLo, rows);
    const r = collapseHashes(
      ref.phashHi,
      ref.phashLo,
      Int32Array.from({ length: ref.phashHi.length }, (_, i) => i),
    );
    const nq = q.hi.length;
    const hi = new Uint32Array(nq + r.hi.length);
    const lo = new Uint32Array(nq + r.hi.length);
    hi.set(q.hi);
    hi.set(r.hi, nq);
    lo.set(q.lo);
    lo.set(r.lo, nq);
    const side = new Uint8Array(hi.length);
    side.fill(1, nq);
    const matchedValue = new Uint8Array(nq);
    // Identical values across sides are distance 0: catch them directly (they would also collide in LSH).
    const refKeys = new Set<string>();
    for (let v = 0; v < r.hi.length; v++) refKeys.add(`${r.hi[v]}:${r.lo[v]}`);
    for (let v = 0; v < nq; v++) if (refKeys.has(`${q.hi[v]}:${q.lo[v]}`)) matchedValue[v] = 1;
    forEachNearPair(
      hi,
      lo,
      near,
      (a, b) => {
        const qv = a < nq ? a : b;
        matchedValue[qv] = 1;
      },
      side,
    );
    for (let x = 0; x < rows.length; x++) if (matchedValue[q.valueOf[x]!]) hit[rows[x]!] = 1;
  }
  return hit;
}
