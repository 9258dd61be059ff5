// The global model-score cut of the sharded step: the threshold of the top fraction of finite scores among rows
// that passed the shard step, found exactly by two-pass selection (as `topFractionThreshold` finds it in memory).
import { CurateConfigError } from '../errors.js';
import { type CurateFilter } from '../filters/filter.js';
import { type ShardedContext, shardCount } from './context.js';
import { float32Bucket, RankSelector } from './select.js';

/** Sets the threshold of the (at most one) filter with a global cut; returns that filter or null. */
export async function scoreCutPhases(
  ctx: ShardedContext,
  filters: readonly CurateFilter[],
): Promise<CurateFilter | null> {
  const global = filters.filter((f) => f.globalThreshold);
  if (global.length === 0) return null;
  const f = global[0]!;
  if (global.length > 1 || f.globalFraction === undefined || !f.setThreshold) {
    throw new CurateConfigError('the sharded global step supports one model_score filter with top_fraction', 'filters');
  }
  const sel = new RankSelector(1, float32Bucket);
  const S = shardCount(ctx);
  const each = async (visit: (score: number) => void): Promise<void> => {
    for (let s = 0; s < S; s++) {
      const { columns: c, reason } = await ctx.load(s);
      for (let i = 0; i < c.n; i++) if (reason[i] === '' && Number.isFinite(c.score[i]!)) visit(c.score[i]!);
    }
  };
  let m = 0;
  await each((v) => {
    m++;
    sel.count(0, v);
  });
  if (m === 0) {
    f.setThreshold(Number.NEGATIVE_INFINITY);
    return f;
  }
  const ranks = [[m - Math.max(1, Math.round(m * f.globalFraction))]];
  sel.request(ranks);
  await each((v) => sel.collect(0, v));
  f.setThreshold(sel.values(ranks)[0]![0]!);
  return f;
}
