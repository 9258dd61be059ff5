// Per-shard phases of the sharded global step after dedup: language mix (counts and a seeded uniform per row;
// the subsample threshold of each language group is an exact order statistic found in two passes) and the
// utility-bin edges M4 needs (same two-pass selection over the rows' model scores).
import { uniform53 } from '../hash.js';
import { languageGroup, type LanguageTargets } from '../language-mix.js';
import { addConfidence, type ConfidenceSums, emptyConfidence, LANG_FROM, resolveLanguages } from '../language-policy.js';
import { type ShardedContext } from './context.js';
import { type RankSelector } from './select.js';
import { activeOf, readState, writeState } from './state.js';

/** One shard's language counts before the mix. */
export interface LanguageCounts {
  counts: number[];
  ungrouped: number;
  before: { [lang: string]: number };
  confidence: ConfidenceSums;
}

/** How the mix is applied: per-group thresholds on the row's uniform (subsample) or per-group weights. */
export type MixRule = { mode: 'subsample'; thr: number[] } | { mode: 'weight'; w: number[] } | { mode: 'off' };

/** One shard's weighted language sums after the mix. */
export interface LanguageAfter {
  after: { [lang: string]: number };
  wAfter: number[];
  wTotal: number;
  confidence: ConfidenceSums;
}

function groupIndex(targets: LanguageTargets): Map<string, number> {
  return new Map(Object.keys(targets).map((g, i) => [g, i]));
}

/** Language pass 1 of one shard (after dedup): counts per group and language; counts uniforms into `sel`. */
export async function languageCountPhase(
  ctx: ShardedContext,
  shard: number,
  sel: RankSelector,
): Promise<LanguageCounts> {
  const { columns: c } = await ctx.load(shard);
  const active = activeOf(await readState(ctx.store, ctx.prefix, 'dedup', shard));
  const { targets, policy } = ctx.cfg.language_mix;
  const gIndex = groupIndex(targets);
  const resolved = resolveLanguages(c, policy);
  const out: LanguageCounts = { counts: new Array<number>(gIndex.size).fill(0), ungrouped: 0, before: {}, confidence: emptyConfidence() };
  for (let i = 0; i < c.n; i++) {
    if (!active[i]) continue;
    const key = resolved.lang[i]!;
    out.before[key] = (out.before[key] ?? 0) + 1;
    addConfidence(out.confidence, key, resolved.from[i] ?? LANG_FROM.none, 1);
    const g = gIndex.get(languageGroup(key, targets));
    if (g === undefined) out.ungrouped++;
    else {
      out.counts[g]!++;
      sel.count(g, uniform53(c.id[i]!, ctx.cfg.seed + 1));
    }
  }
  return out;
}

/** Language pass 2 of one shard: offers each grouped active row's uniform to `sel`. */
export async function languageCollectPhase(ctx: ShardedContext, shard: number, sel: RankSelector): Promise<void> {
  const { columns: c } = await ctx.load(shard);
  const active = activeOf(await readState(ctx.store, ctx.prefix, 'dedup', shard));
  const { targets, policy } = ctx.cfg.language_mix;
  const gIndex = groupIndex(targets);
  const resolved = resolveLanguages(c, policy);
  for (let i = 0; i < c.n; i++) {
    const g = active[i] ? gIndex.get(languageGroup(resolved.lang[i]!, targets)) : undefined;
    if (g !== undefined) sel.collect(g, uniform53(c.id[i]!, ctx.cfg.seed + 1));
  }
}

/** Applies the mix to one shard (writes state `mix`); counts active rows' utilities into `util` when given. */
export async function applyMixPhase(
  ctx: ShardedContext,
  shard: number,
  rule: MixRule,
  util: RankSelector | null,
): Promise<LanguageAfter & { active: number }> {
  const { columns: c } = await ctx.load(shard);
  const state = await readState(ctx.store, ctx.prefix, 'dedup', shard);
  const { targets, policy } = ctx.cfg.language_mix;
  const gIndex = groupIndex(targets);
  const resolved = resolveLanguages(c, policy);
  const out = {
    after: {} as { [lang: string]: number },
    wAfter: new Array<number>(gIndex.size).fill(0),
    wTotal: 0,
    active: 0,
    confidence: emptyConfidence(),
  };
  for (let i = 0; i < c.n; i++) {
    if (state.reason[i] !== '') continue;
    const g = gIndex.get(languageGroup(resolved.lang[i]!, targets)) ?? -1;
    if (rule.mode === 'subsample' && (g < 0 || uniform53(c.id[i]!, ctx.cfg.seed + 1) > rule.thr[g]!)) {
      state.reason[i] = 'language_mix';
      continue;
    }
    if (rule.mode === 'weight') state.weight[i] = state.weight[i]! * (g >= 0 ? rule.w[g]! : 0);
    const wi = rule.mode === 'weight' ? state.weight[i]! : 1;
    const key = resolved.lang[i]!;
    out.after[key] = (out.after[key] ?? 0) + wi;
    addConfidence(out.confidence, key, resolved.from[i] ?? LANG_FROM.none, wi);
    if (g >= 0) out.wAfter[g] = out.wAfter[g]! + wi;
    out.wTotal += wi;
    out.active++;
    util?.count(0, c.score[i]!);
  }
  await writeState(ctx.store, ctx.prefix, 'mix', shard, state);
  return out;
}

/** Utility pass 2 of one shard: offers active rows' scores to `util`. */
export async function utilityCollectPhase(ctx: ShardedContext, shard: number, util: RankSelector): Promise<void> {
  const { columns: c } = await ctx.load(shard);
  const active = activeOf(await readState(ctx.store, ctx.prefix, 'mix', shard));
  for (let i = 0; i < c.n; i++) if (active[i]) util.collect(0, c.score[i]!);
}
