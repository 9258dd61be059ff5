// Per-shard phases of the sharded global step up to dedup: drop rows matching evaluation sets and earlier
// versions (reference hash sets are held in memory: their size, not the dataset's, bounds it), emit signatures,
// send cluster members, and apply the cluster decisions. Each reads and writes only its shard's files.
import { type HashSet, matchReference } from '../dedup.js';
import { type CurateFilter } from '../filters/filter.js';
import { type LshParams } from '../lsh.js';
import { emitMembers, readShardDecisions } from './clusters.js';
import { finalLabels } from './components.js';
import { addAttributeSums, type AttributeSums, type ShardedContext } from './context.js';
import { emitSignatures } from './dedup-edges.js';
import { activeOf, readState, writeState } from './state.js';

/** Reference sets and LSH settings of the dedup phases (fixed from the total row count). */
export interface DedupSettings {
  /** The filter with a global cut, its threshold set (drops active rows it fails as `<name>:low`). */
  readonly cut: CurateFilter | null;
  readonly evalSets: readonly HashSet[];
  readonly prior: readonly HashSet[];
  readonly decontam: LshParams;
  readonly near: LshParams | null;
}

/** What the reference phase of one shard adds to the report. */
export interface ReferenceTotals {
  attrBefore: AttributeSums;
  decontamination: { [evalSet: string]: number };
  priorRemoved: number;
  /** True when some row has a model score (M4 then uses it as utility). */
  hasScore: boolean;
}

/** Phase 1 of one shard: reference matching, then signatures of the rows still active; writes state `refs`. */
export async function referencePhase(ctx: ShardedContext, shard: number, s: DedupSettings): Promise<ReferenceTotals> {
  const { columns: c, reason: shardReason, attrs } = await ctx.load(shard);
  const reason = shardReason.slice();
  const active = Uint8Array.from(reason, (r) => (r === '' ? 1 : 0));
  const out: ReferenceTotals = {
    attrBefore: { sums: new Map(), total: 0 },
    decontamination: {},
    priorRemoved: 0,
    hasScore: c.score.some((x) => !Number.isNaN(x)),
  };
  addAttributeSums(out.attrBefore, attrs, active, ctx.cfg, null);
  const drop1 = (i: number, why: string): void => {
    active[i] = 0;
    reason[i] = why;
  };
  const drop = (hit: Uint8Array, why: string): number => {
    let count = 0;
    for (let i = 0; i < c.n; i++) {
      if (!hit[i]) continue;
      drop1(i, why);
      count++;
    }
    return count;
  };
  if (s.cut) for (let i = 0; i < c.n; i++) if (active[i] && s.cut.test(c, i) !== null) drop1(i, `${s.cut.name}:low`);
  for (const ev of s.evalSets) {
    out.decontamination[ev.name] = drop(matchReference(c, active, ev, s.decontam, true), `decontam:${ev.name}`);
  }
  for (const prior of s.prior) {
    out.priorRemoved += drop(matchReference(c, active, prior, s.near, ctx.cfg.dedup.exact), 'dedup:prior');
  }
  const offset = ctx.space.offsets[shard]!;
  await emitSignatures(ctx.store, ctx.prefix, shard, offset, c, active, {
    exact: ctx.cfg.dedup.exact,
    near: s.near,
    partitions: ctx.partitions,
  });
  await writeState(ctx.store, ctx.prefix, 'refs', shard, { reason, weight: new Float64Array(c.n).fill(1) });
  return out;
}

/** Phase 4 of one shard: sends its labelled active rows to the cluster partitions. */
export async function memberPhase(ctx: ShardedContext, shard: number, lastRound: number): Promise<void> {
  const { columns: c } = await ctx.load(shard);
  const active = activeOf(await readState(ctx.store, ctx.prefix, 'refs', shard));
  const labels = await finalLabels(ctx.store, ctx.prefix, lastRound, shard);
  const offset = ctx.space.offsets[shard]!;
  await emitMembers(ctx.store, ctx.prefix, shard, offset, c, active, labels, ctx.partitions);
}

/** Phase 6 of one shard: applies the cluster decisions; writes state `dedup`; returns the survivors' alt captions. */
export async function applyDedupPhase(ctx: ShardedContext, shard: number): Promise<Map<number, string[]>> {
  const state = await readState(ctx.store, ctx.prefix, 'refs', shard);
  const n = state.reason.length;
  const d = await readShardDecisions(ctx.store, ctx.prefix, shard, ctx.space.offsets[shard]!, n);
  for (let i = 0; i < n; i++) {
    if (d.kind[i] === 1) state.reason[i] = 'dedup:exact';
    else if (d.kind[i] === 2) state.reason[i] = 'dedup:near';
  }
  await writeState(ctx.store, ctx.prefix, 'dedup', shard, state);
  return d.alt;
}
