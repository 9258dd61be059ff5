// Per-shard phases of the sharded global step's end: M4 statistics of one shard (merged by the driver and fitted
// once on the cells), then the final phase applying the fitted keep probabilities and summing the report's counts.
import { uniform53 } from '../hash.js';
import { m4RowQ } from '../m4.js';
import { type M4Fit } from '../m4-fit.js';
import { addM4Stats, type M4Patterns, type M4Stats, utilityBin } from '../m4-stats.js';
import { ALT_SCHEMA } from './clusters.js';
import { addAttributeSums, type AttributeSums, type ShardedContext } from './context.js';
import { type ShardState, activeOf, readState, writeState } from './state.js';
import { readPart } from './table.js';

/** Utility binning shared by the M4 phases. */
export interface M4Binning {
  readonly patterns: M4Patterns;
  readonly useUtility: boolean;
  readonly edges: readonly number[];
}

const binOf = (b: M4Binning, u: number): number => (b.edges.length === 0 ? 0 : utilityBin(u, b.edges));

/** M4 statistics of one shard's active rows (after the language mix). */
export async function m4StatsPhase(ctx: ShardedContext, shard: number, b: M4Binning): Promise<M4Stats> {
  const { columns: c, attrs } = await ctx.load(shard);
  const active = activeOf(await readState(ctx.store, ctx.prefix, 'mix', shard));
  const stats: M4Stats = new Map();
  addM4Stats(stats, b.patterns, active, attrs, b.useUtility ? c.score : null, (i) => binOf(b, c.score[i]!));
  return stats;
}

/** What the final phase of one shard adds to the report, and its outcome. */
export interface FinalTotals {
  m4Before: number;
  m4Kept: number;
  rowsOut: number;
  dropped: { [reason: string]: number };
  attrAfter: AttributeSums;
}

/** Applies M4 (when fitted) to one shard, writes state `final`, and returns its totals, state and kept rows' alt captions. */
export async function finalPhase(
  ctx: ShardedContext,
  shard: number,
  m4: { fit: M4Fit; binning: M4Binning } | null,
): Promise<{ totals: FinalTotals; state: ShardState; alt: Map<number, string[]> }> {
  const { cfg } = ctx;
  const { columns: c, attrs } = await ctx.load(shard);
  const state = await readState(ctx.store, ctx.prefix, 'mix', shard);
  const t: FinalTotals = { m4Before: 0, m4Kept: 0, rowsOut: 0, dropped: {}, attrAfter: { sums: new Map(), total: 0 } };
  for (let i = 0; m4 && i < c.n; i++) {
    if (state.reason[i] !== '') continue;
    const u = c.score[i]!;
    const q = m4RowQ(
      m4.fit.cellQ,
      m4.binning.patterns,
      attrs[i] ?? null,
      binOf(m4.binning, u),
      m4.binning.useUtility ? u : 0,
      cfg.m4.beta,
    );
    t.m4Before++;
    if (cfg.m4.mode === 'subsample') {
      if (uniform53(c.id[i]!, cfg.seed + 2) >= q) state.reason[i] = 'm4';
      else t.m4Kept++;
    } else {
      t.m4Kept += q;
      state.weight[i] = state.weight[i]! * (q / cfg.m4.eta);
      if (q === 0) state.reason[i] = 'm4';
    }
  }
  const active = activeOf(state);
  for (let i = 0; i < c.n; i++) {
    if (active[i]) t.rowsOut++;
    else t.dropped[state.reason[i]!] = (t.dropped[state.reason[i]!] ?? 0) + 1;
  }
  addAttributeSums(t.attrAfter, attrs, active, cfg, cfg.m4.mode === 'weight' ? state.weight : null);
  await writeState(ctx.store, ctx.prefix, 'final', shard, state);
  const offset = ctx.space.offsets[shard]!;
  const altT = await readPart(ctx.store, ctx.prefix, 'alt', shard, ALT_SCHEMA);
  const alt = new Map<number, string[]>();
  altT.g.forEach((g, x) => {
    if (!active[g - offset]) return;
    const list = alt.get(g - offset) ?? [];
    list.push(altT.caption[x]!);
    alt.set(g - offset, list);
  });
  return { totals: t, state, alt };
}
