// The language mix over all shards from per-shard counts: the same quotas and per-group thresholds as
// `applyLanguageMix`, each threshold an exact order statistic of the rows' seeded uniforms (two passes).
import { type LanguageMixReport } from '../language-mix.js';
import { addCounts, type ShardedContext, shardCount } from './context.js';
import { applyMixPhase, languageCollectPhase, languageCountPhase, type MixRule } from './phases-mix.js';
import { confidenceFromSums, emptyConfidence, mergeConfidence } from '../language-policy.js';
import { RankSelector, unitBucket } from './select.js';

/** Runs the mix phases; `util` (when given) receives the surviving rows' scores for M4's utility bins. */
export async function languageMixPhases(
  ctx: ShardedContext,
  util: RankSelector | null,
): Promise<{ report: LanguageMixReport; activeAfter: number }> {
  const { targets, mode } = ctx.cfg.language_mix;
  const groups = Object.keys(targets);
  const S = shardCount(ctx);
  const sel = new RankSelector(groups.length, unitBucket);
  const counts = new Array<number>(groups.length).fill(0);
  let ungrouped = 0;
  const before: { [lang: string]: number } = {};
  const confBefore = emptyConfidence();
  for (let s = 0; s < S; s++) {
    const part = await languageCountPhase(ctx, s, sel);
    part.counts.forEach((x, g) => (counts[g] = counts[g]! + x));
    ungrouped += part.ungrouped;
    addCounts(before, part.before);
    mergeConfidence(confBefore, part.confidence);
  }
  const total = counts.reduce((a, x) => a + x, 0) + ungrouped;
  const unmet: LanguageMixReport['unmet'] = [];
  groups.forEach((g, k) => {
    if (targets[g]! > 0 && counts[k] === 0) unmet.push({ group: g, target: targets[g]!, available: 0 });
  });
  const rule = await mixRule(ctx, sel, groups, counts, total);
  const after: { [lang: string]: number } = {};
  const wAfter = new Array<number>(groups.length).fill(0);
  let wTotal = 0;
  let activeAfter = 0;
  const confAfter = emptyConfidence();
  for (let s = 0; s < S; s++) {
    const part = await applyMixPhase(ctx, s, rule, util);
    mergeConfidence(confAfter, part.confidence);
    addCounts(after, part.after);
    part.wAfter.forEach((x, g) => (wAfter[g] = wAfter[g]! + x));
    wTotal += part.wTotal;
    activeAfter += part.active;
  }
  const share = (arr: number[], tot: number): { [g: string]: number } =>
    Object.fromEntries(groups.map((g, k) => [g, tot > 0 ? arr[k]! / tot : 0]));
  return {
    report: {
      mode,
      before,
      after,
      shareBefore: share(counts, total),
      shareAfter: share(wAfter, wTotal),
      unmet,
      confidenceBefore: confidenceFromSums(confBefore),
      confidenceAfter: confidenceFromSums(confAfter),
    },
    activeAfter,
  };
}

async function mixRule(
  ctx: ShardedContext,
  sel: RankSelector,
  groups: string[],
  counts: number[],
  total: number,
): Promise<MixRule> {
  const { targets, mode } = ctx.cfg.language_mix;
  if (mode === 'weight')
    return { mode, w: groups.map((g, k) => (counts[k]! > 0 ? (targets[g]! * total) / counts[k]! : 0)) };
  if (mode !== 'subsample') return { mode: 'off' };
  // Largest N with target_g·N ≤ available_g for every group that has rows.
  let nTotal = Number.POSITIVE_INFINITY;
  groups.forEach((g, k) => {
    if (targets[g]! > 0 && counts[k]! > 0) nTotal = Math.min(nTotal, counts[k]! / targets[g]!);
  });
  if (!Number.isFinite(nTotal)) nTotal = 0;
  const quota = groups.map((g) => Math.floor(targets[g]! * nTotal + 1e-9));
  const ranks = quota.map((q, g) => (q > 0 && q < counts[g]! ? [q - 1] : []));
  sel.request(ranks);
  for (let s = 0; s < shardCount(ctx); s++) await languageCollectPhase(ctx, s, sel);
  const vals = sel.values(ranks);
  const thr = quota.map((q, g) =>
    q >= counts[g]! ? Number.POSITIVE_INFINITY : q <= 0 ? Number.NEGATIVE_INFINITY : vals[g]![0]!,
  );
  return { mode, thr };
}

