// Exact order statistics over data seen in passes, with memory independent of the row count: pass 1 counts
// values per group into 65536 ordered buckets (histograms of partitions add), which fixes the bucket holding each
// requested rank; pass 2 keeps only the values that fall in those buckets, and sorting them gives the exact value.

const BUCKETS = 65536;

/** Ordered bucket of a value in [0, 1) (e.g. a seeded uniform). */
export const unitBucket = (v: number): number => Math.min(BUCKETS - 1, Math.floor(v * BUCKETS));

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Ordered bucket of any float32 value (its order-preserving bit pattern's top 16 bits). */
export const float32Bucket = (v: number): number => {
  f32[0] = v;
  const bits = u32[0]!;
  return ((bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 16) & 0xffff;
};

/** Two-pass exact selection of ranks (0-based, ascending) per group. */
export class RankSelector {
  private readonly hist: Float64Array[];
  private wanted: Map<number, { bucket: number; below: number; rank: number }[]>[] = [];
  private readonly kept: Map<number, number[]>[];

  constructor(
    groups: number,
    private readonly bucketOf: (v: number) => number,
  ) {
    this.hist = Array.from({ length: groups }, () => new Float64Array(BUCKETS));
    this.kept = Array.from({ length: groups }, () => new Map());
  }

  /** Pass 1: counts a value. */
  count(group: number, v: number): void {
    const h = this.hist[group]!;
    const b = this.bucketOf(v);
    h[b] = h[b]! + 1;
  }

  /** Between passes: the ranks wanted per group. */
  request(ranks: readonly (readonly number[])[]): void {
    this.wanted = ranks.map((list, gi) => {
      const h = this.hist[gi]!;
      const byBucket = new Map<number, { bucket: number; below: number; rank: number }[]>();
      for (const rank of list) {
        let below = 0;
        let b = 0;
        while (b < BUCKETS - 1 && below + h[b]! <= rank) below += h[b++]!;
        const list2 = byBucket.get(b) ?? [];
        list2.push({ bucket: b, below, rank });
        byBucket.set(b, list2);
      }
      return byBucket;
    });
  }

  /** Pass 2: keeps a value if it lies in a wanted bucket. */
  collect(group: number, v: number): void {
    const b = this.bucketOf(v);
    if (!this.wanted[group]?.has(b)) return;
    const k = this.kept[group]!;
    const list = k.get(b) ?? [];
    list.push(v);
    k.set(b, list);
  }

  /** After pass 2: the value at each requested rank, in request order (NaN when the rank is out of range). */
  values(ranks: readonly (readonly number[])[]): number[][] {
    return ranks.map((list, gi) =>
      list.map((rank) => {
        for (const [b, reqs] of this.wanted[gi] ?? []) {
          const req = reqs.find((r) => r.rank === rank);
          if (!req) continue;
          const vals = Float64Array.from(this.kept[gi]!.get(b) ?? []).sort();
          return vals[rank - req.below] ?? Number.NaN;
        }
        return Number.NaN;
      }),
    );
  }
}
