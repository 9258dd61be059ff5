// The sharded global step, driven phase by phase over the input shards and hash partitions (the way large
// dedup pipelines run: signatures → buckets → edges → components → clusters → decisions, then the language mix
// and M4 from aggregated statistics). Each call below reads and writes one shard's or one partition's Parquet
// files on the store, so its memory is bounded by the shard size and the partition count, never by the dataset;
// the driver itself holds only sums. Decisions equal `planCuration`'s on the same rows (test: sharded.test.ts).
import { type CurateFilter } from '../filters/filter.js';
import { type HashSet } from '../dedup.js';
import { chooseLshParams, expectedRecall } from '../lsh.js';
import { type PlanReport } from '../plan.js';
import { type ClusterStats, decideClusters } from './clusters.js';
import { initLabels, receiveLabels, sendLabels } from './components.js';
import { attributeRatesOf, type ShardedContext, shardCount } from './context.js';
import { bucketPartition } from './dedup-edges.js';
import { languageMixPhases } from './language.js';
import { m4Options } from '../m4.js';
import { m4Phases } from './m4.js';
import { m4Bins } from '../m4-stats.js';
import { float32Bucket, RankSelector } from './select.js';
import { applyDedupPhase, type DedupSettings, memberPhase, referencePhase } from './phases-dedup.js';
import { scoreCutPhases } from './score-cut.js';
import { type ShardState } from './state.js';

/** Reference sets of the step (as `planCuration` takes them). */
export interface ShardedInputs {
  readonly evalSets?: readonly HashSet[];
  readonly prior?: readonly HashSet[];
  readonly filters?: readonly CurateFilter[];
  /** Called once per shard with its final state and kept survivors' alternative captions. */
  readonly onShard: (shard: number, state: ShardState, alt: Map<number, string[]>) => Promise<void> | void;
}

/** Runs every phase; returns the report (the per-shard outcome goes to `onShard`). */
export async function planSharded(ctx: ShardedContext, inputs: ShardedInputs): Promise<PlanReport> {
  const { cfg } = ctx;
  const S = shardCount(ctx);
  const n = ctx.space.offsets[S]!;
  const cut = await scoreCutPhases(ctx, inputs.filters ?? []);
  const settings: DedupSettings = {
    evalSets: inputs.evalSets ?? [],
    prior: inputs.prior ?? [],
    cut,
    decontam: chooseLshParams(
      n,
      cfg.decontamination.k,
      cfg.dedup.target_recall,
      cfg.seed + 17,
      cfg.dedup.bits_per_band,
    ),
    near: cfg.dedup.near
      ? chooseLshParams(n, cfg.dedup.k, cfg.dedup.target_recall, cfg.seed, cfg.dedup.bits_per_band)
      : null,
  };
  const refs = [];
  for (let s = 0; s < S; s++) refs.push(await referencePhase(ctx, s, settings));
  const dedup = await dedupPhases(ctx, cfg.dedup.k);
  for (let s = 0; s < S; s++) await applyDedupPhase(ctx, s);
  const hasScore = refs.some((r) => r.hasScore);
  const util = cfg.m4.enabled && m4Bins(m4Options(cfg), hasScore) > 1 ? new RankSelector(1, float32Bucket) : null;
  const mix = await languageMixPhases(ctx, util);
  const fin = await m4Phases(ctx, hasScore, mix.activeAfter, util, inputs.onShard);
  const decontamination: { [evalSet: string]: number } = {};
  for (const ev of settings.evalSets)
    decontamination[ev.name] = refs.reduce((x, r) => x + r.decontamination[ev.name]!, 0);
  const attrBefore = { sums: new Map<string, number>(), total: 0 };
  for (const r of refs) {
    attrBefore.total += r.attrBefore.total;
    for (const [k, v] of r.attrBefore.sums) attrBefore.sums.set(k, (attrBefore.sums.get(k) ?? 0) + v);
  }
  const clusterSizes: { [size: string]: number } = {};
  for (const size of dedup.clusterSizes) clusterSizes[String(size)] = (clusterSizes[String(size)] ?? 0) + 1;
  const lsh = settings.near;
  return {
    rows_in: n,
    rows_out: fin.rowsOut,
    dropped: fin.dropped,
    dedup: {
      clusters: dedup.clusterSizes.length,
      cluster_sizes: clusterSizes,
      exact_removed: dedup.exactRemoved,
      near_removed: dedup.nearRemoved,
      prior_removed: refs.reduce((x, r) => x + r.priorRemoved, 0),
      lsh,
      expected_recall_at_k: lsh ? expectedRecall(lsh.k, lsh.bitsPerBand, lsh.bands) : null,
      lsh_candidates: dedup.candidates,
    },
    decontamination,
    language: mix.report,
    m4: fin.m4,
    attributes: { before: attributeRatesOf(attrBefore), after: attributeRatesOf(fin.attrAfter) },
  };
}

/** Buckets every partition, propagates labels to a fixed point, and decides every cluster partition. */
async function dedupPhases(
  ctx: ShardedContext,
  k: number,
): Promise<ClusterStats & { candidates: number; rounds: number }> {
  const S = shardCount(ctx);
  const unit = (phase: string, n: number): void => ctx.onUnit?.(phase, n);
  let candidates = 0;
  for (let p = 0; p < ctx.partitions; p++) {
    candidates += (await bucketPartition(ctx.store, ctx.prefix, p, ctx.space, k)).candidates;
    unit('buckets', p);
  }
  for (let s = 0; s < S; s++) await initLabels(ctx.store, ctx.prefix, s).then(() => unit('labels', s));
  let round = 0;
  for (; ; round++) {
    for (let s = 0; s < S; s++)
      await sendLabels(ctx.store, ctx.prefix, round, s, ctx.space).then(() => unit(`send-r${round}`, s));
    let changed = 0;
    for (let s = 0; s < S; s++) {
      changed += await receiveLabels(ctx.store, ctx.prefix, round, s);
      unit(`receive-r${round}`, s);
    }
    if (changed === 0) break;
  }
  for (let s = 0; s < S; s++) await memberPhase(ctx, s, round + 1);
  const stats: ClusterStats = { clusterSizes: [], exactRemoved: 0, nearRemoved: 0 };
  for (let p = 0; p < ctx.partitions; p++) {
    const c = await decideClusters(ctx.store, ctx.prefix, p, ctx.space, ctx.cfg.dedup.max_alt_captions);
    stats.clusterSizes.push(...c.clusterSizes);
    stats.exactRemoved += c.exactRemoved;
    stats.nearRemoved += c.nearRemoved;
    unit('clusters', p);
  }
  return { ...stats, candidates, rounds: round + 1 };
}
