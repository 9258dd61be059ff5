// M4 over all shards: utility-bin edges by two-pass selection, cell statistics merged in shard order (the same
// cells, in the same order, as one process would find), one fit on the cells, then each shard's final phase.
import { m4Options } from '../m4.js';
import { fitM4Cells } from '../m4-fit.js';
import { m4Bins, m4Patterns, mergeM4Stats, type M4Stats, utilityEdgeRanks } from '../m4-stats.js';
import { type PlanReport } from '../plan.js';
import { addCounts, type AttributeSums, type ShardedContext, shardCount } from './context.js';
import { type M4Binning, finalPhase, m4StatsPhase } from './phases-m4.js';
import { utilityCollectPhase } from './phases-mix.js';
import { type RankSelector } from './select.js';
import { type ShardState } from './state.js';

/** Fits M4 (when enabled) and runs every shard's final phase; returns the final totals and the M4 report. */
export async function m4Phases(
  ctx: ShardedContext,
  hasScore: boolean,
  activeAfterMix: number,
  util: RankSelector | null,
  onShard: (shard: number, state: ShardState, alt: Map<number, string[]>) => Promise<void> | void,
): Promise<{ rowsOut: number; dropped: { [r: string]: number }; attrAfter: AttributeSums; m4: PlanReport['m4'] }> {
  const { cfg } = ctx;
  const S = shardCount(ctx);
  let m4: Parameters<typeof finalPhase>[2] = null;
  if (cfg.m4.enabled) {
    const o = m4Options(cfg);
    const bins = m4Bins(o, hasScore);
    let edges: number[] = [];
    if (bins > 1) {
      if (!util) throw new Error('M4 utility bins need the utility selector of the language-mix phase');
      const ranks = [utilityEdgeRanks(activeAfterMix, bins)];
      util.request(ranks);
      for (let s = 0; s < S; s++) await utilityCollectPhase(ctx, s, util);
      edges = util.values(ranks)[0]!.map((v) => (Number.isNaN(v) ? 0 : v));
    }
    const binning: M4Binning = { patterns: m4Patterns(o), useUtility: hasScore, edges };
    const stats: M4Stats = new Map();
    for (let s = 0; s < S; s++) mergeM4Stats(stats, await m4StatsPhase(ctx, s, binning));
    m4 = { fit: fitM4Cells(stats, o), binning };
  }
  const out = {
    rowsOut: 0,
    dropped: {} as { [r: string]: number },
    attrAfter: { sums: new Map(), total: 0 } as AttributeSums,
  };
  let before = 0;
  let kept = 0;
  for (let s = 0; s < S; s++) {
    const r = await finalPhase(ctx, s, m4);
    out.rowsOut += r.totals.rowsOut;
    addCounts(out.dropped, r.totals.dropped);
    out.attrAfter.total += r.totals.attrAfter.total;
    for (const [k, v] of r.totals.attrAfter.sums) out.attrAfter.sums.set(k, (out.attrAfter.sums.get(k) ?? 0) + v);
    before += r.totals.m4Before;
    kept += r.totals.m4Kept;
    await onShard(s, r.state, r.alt);
  }
  const fit = m4?.fit;
  return {
    ...out,
    m4: fit
      ? {
          enabled: true,
          constraints: fit.constraints,
          infeasible: fit.infeasible,
          skipped_concepts: fit.skippedConcepts,
          expected_keep_rate: fit.expectedKeepRate,
          realised_keep_rate: before > 0 ? kept / before : 0,
          iterations: fit.iterations,
        }
      : null,
  };
}
