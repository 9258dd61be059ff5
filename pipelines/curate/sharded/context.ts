// What every phase of the sharded global step works from, and the small sums its phases return and the driver
// adds up (attribute rates before/after, counts by reason).
import { type ObjectStore } from '../../../storage/index.js';
import { type CurateConfig } from '../config.js';
import { type ShardSummary } from '../summary-file.js';
import { type RowSpace } from './dedup-edges.js';

/** The sharded global step's setting: the store and prefix its stage files go under, and the input shards. */
export interface ShardedContext {
  readonly store: ObjectStore;
  /** Storage prefix of this run's stage files. */
  readonly prefix: string;
  readonly cfg: CurateConfig;
  readonly space: RowSpace;
  /** Hash partitions of the signature and cluster stages. */
  readonly partitions: number;
  /** Loads one input shard's cached per-shard result. */
  load(shard: number): Promise<ShardSummary>;
  /** Called after each partition or shard unit that loads no shard (the activity heartbeats from it). */
  onUnit?(phase: string, unit: number): void;
}

/** Number of input shards. */
export const shardCount = (ctx: ShardedContext): number => ctx.space.offsets.length - 1;

/** Weighted attribute sums (and of group × concept pairs) and the total weight, mergeable across shards. */
export interface AttributeSums {
  sums: Map<string, number>;
  total: number;
}

/** Adds the active rows' attributes to `into` (the sums behind `attributeRates`). */
export function addAttributeSums(
  into: AttributeSums,
  attrs: readonly (string[] | null)[],
  active: Uint8Array,
  cfg: CurateConfig,
  weight: Float64Array | null,
): void {
  const groups = Object.keys(cfg.m4.groups);
  const isConcept = (a: string): boolean => cfg.m4.concepts.some((p) => a.startsWith(`${p}:`));
  for (let i = 0; i < active.length; i++) {
    if (!active[i]) continue;
    const w = weight ? weight[i]! : 1;
    into.total += w;
    const a = attrs[i];
    if (!a) continue;
    for (const x of a) into.sums.set(x, (into.sums.get(x) ?? 0) + w);
    for (const g of groups) {
      if (!a.includes(g)) continue;
      for (const x of a) if (isConcept(x)) into.sums.set(`${g}×${x}`, (into.sums.get(`${g}×${x}`) ?? 0) + w);
    }
  }
}

/** Rates from merged sums, keys sorted (as `attributeRates` reports them). */
export function attributeRatesOf(s: AttributeSums): { [attr: string]: number } {
  return Object.fromEntries(
    [...s.sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, s.total > 0 ? v / s.total : 0]),
  );
}

/** Adds `b`'s counts into `a`. */
export function addCounts(a: { [k: string]: number }, b: { readonly [k: string]: number }): void {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
}
