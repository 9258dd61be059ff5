// M4's aggregated statistics: rows with the same (group membership, group scope, concepts) pattern and utility
// bin form one cell, and the fit only needs each cell's row count and utility sum. Statistics of disjoint row
// partitions merge by adding cells, so a sharded global step fits M4 from per-partition statistics.
import { type M4Options } from './m4.js';

/** One cell: its pattern, utility bin, row count and utility sum. */
export interface M4CellStats {
  /** Membership s_k of each (sorted) group. */
  readonly s: readonly number[];
  /** Whether the row is in each group's scope (carries some attribute of the group's family). */
  readonly scope: readonly number[];
  /** Sorted distinct concept attributes. */
  readonly concepts: readonly string[];
  /** True for rows with no in-scope attributes (the empty pattern). */
  readonly empty: boolean;
  readonly bin: number;
  count: number;
  uSum: number;
}

/** Cells in order of first appearance (row order), keyed by `bin#pattern`. */
export type M4Stats = Map<string, M4CellStats>;

/** Per-row pattern helper built once per options. */
export interface M4Patterns {
  readonly groups: string[];
  /** The cell key and pattern of a row's attributes. */
  cellOf(a: readonly string[] | null, bin: number): { key: string; cell: Omit<M4CellStats, 'count' | 'uSum'> };
}

const family = (a: string): string => (a.includes(':') ? a.slice(0, a.indexOf(':')) : a);

/** Pattern helper for the options' groups and concept prefixes. */
export function m4Patterns(o: Pick<M4Options, 'groups' | 'conceptPrefixes'>): M4Patterns {
  const groups = Object.keys(o.groups).sort();
  const groupFamilies = groups.map(family);
  const isConcept = (a: string): boolean => o.conceptPrefixes.some((p) => a.startsWith(`${p}:`));
  const emptyOf = (bin: number): { key: string; cell: Omit<M4CellStats, 'count' | 'uSum'> } => ({
    key: `${bin}#`,
    cell: { s: [], scope: [], concepts: [], empty: true, bin },
  });
  return {
    groups,
    cellOf(a, bin) {
      if (!a || a.length === 0) return emptyOf(bin);
      const fams = new Set(a.map(family));
      const scope = groupFamilies.map((f) => (fams.has(f) ? 1 : 0));
      if (!scope.some((x) => x)) return emptyOf(bin);
      const s = groups.map((g) => (a.includes(g) ? 1 : 0));
      const concepts = [...new Set(a.filter(isConcept))].sort();
      return {
        key: `${bin}#${s.join('')}|${scope.join('')}|${concepts.join(',')}`,
        cell: { s, scope, concepts, empty: false, bin },
      };
    },
  };
}

/** Adds the active rows of one partition to `stats`; `binOf` gives each row's utility bin (0 when unbinned). */
export function addM4Stats(
  stats: M4Stats,
  patterns: M4Patterns,
  active: Uint8Array,
  attrs: readonly (readonly string[] | null)[],
  utility: Float32Array | null,
  binOf: (i: number) => number,
): void {
  for (let i = 0; i < active.length; i++) {
    if (!active[i]) continue;
    const { key, cell } = patterns.cellOf(attrs[i] ?? null, binOf(i));
    let st = stats.get(key);
    if (!st) stats.set(key, (st = { ...cell, count: 0, uSum: 0 }));
    st.count++;
    st.uSum += utility ? utility[i]! : 0;
  }
}

/** Merges `from` into `into` (cells new to `into` keep `from`'s order after its own). */
export function mergeM4Stats(into: M4Stats, from: M4Stats): void {
  for (const [key, c] of from) {
    const st = into.get(key);
    if (!st) into.set(key, { ...c });
    else {
      st.count += c.count;
      st.uSum += c.uSum;
    }
  }
}

/** Number of utility bins the fit uses (one when β = 0 or there is no utility). */
export function m4Bins(o: Pick<M4Options, 'beta'>, hasUtility: boolean): number {
  return o.beta !== 0 && hasUtility ? 32 : 1;
}

/** The bin of a utility value given the bin edges (the (b+1)/bins quantiles of active rows' utility). */
export function utilityBin(u: number, edges: readonly number[]): number {
  let b = 0;
  while (b < edges.length && u >= edges[b]!) b++;
  return b;
}

/** Ranks (0-based, among sorted active utilities) that define the bin edges for `count` active rows. */
export function utilityEdgeRanks(count: number, bins: number): number[] {
  return Array.from({ length: bins - 1 }, (_, b) => Math.floor(((b + 1) * count) / bins));
}

/** Bin edges from the active rows' utilities held in memory (the single-process path). */
export function utilityEdges(active: Uint8Array, utility: Float32Array | null, bins: number): number[] {
  if (bins === 1 || !utility) return [];
  const vals = Float64Array.from(utility.filter((_, i) => active[i] === 1)).sort();
  return utilityEdgeRanks(vals.length, bins).map((r) => vals[r] ?? 0);
}
