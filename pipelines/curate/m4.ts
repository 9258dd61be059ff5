// M4 (multi-modal moment matching) balancing, as reconstructed in siglip2-recipe.md §6.2: per-row keep
// probabilities q = clip(η + β·u − vᵀa − μ, 0, 1) fitted by projected dual ascent so that
//   representation:  |E[q·(s_k − π_k) | scope_k]|          ≤ ε_R   for each group k
//   association:     |E[q·(s_k − π_k) | scope_k, concept r]| ≤ ε_A   for each group k and concept r
//   keep rate:       E[q] = η
// Two deliberate readings of the reconstruction: a group's constraint only covers rows in its scope (rows that
// carry any attribute of the group's family, e.g. some gender term), so rows without people are not forced to
// be "50% man"; and each constraint is normalised by its support, so ε is a share-like tolerance even for rare
// concepts. Rows with the same (groups, concepts) pattern and utility bin share q, so the fit runs on cells
// (m4-stats.ts: mergeable per-cell statistics; m4-fit.ts: the fit on them).
import { type CurateConfig } from './config.js';
import { uniform53 } from './hash.js';
import { fitM4Cells, type M4Fit } from './m4-fit.js';
import { addM4Stats, m4Bins, m4Patterns, type M4Patterns, type M4Stats, utilityBin, utilityEdges } from './m4-stats.js';

/** M4 options; `groups` maps attribute (`family:value`) → target share π within its family's scope. */
export interface M4Options {
  readonly eta: number;
  readonly groups: Readonly<{ [attr: string]: number }>;
  /** Attribute prefixes (e.g. `occupation`) whose values are concepts. */
  readonly conceptPrefixes: readonly string[];
  readonly epsRepresentation: number;
  readonly epsAssociation: number;
  /** Weight of the per-row utility (0: stay close to uniform subsampling). */
  readonly beta: number;
  /** Association constraints need at least this many in-scope rows with the concept. */
  readonly minConceptRows: number;
  readonly maxIter: number;
}

/** The M4 options of a curation config. */
export function m4Options(cfg: CurateConfig): M4Options {
  return {
    eta: cfg.m4.eta,
    groups: cfg.m4.groups,
    conceptPrefixes: cfg.m4.concepts,
    epsRepresentation: cfg.m4.eps_representation,
    epsAssociation: cfg.m4.eps_association,
    beta: cfg.m4.beta,
    minConceptRows: cfg.m4.min_concept_rows,
    maxIter: cfg.m4.max_iter,
  };
}

/** One constraint's before/after values (E[q·(s−π)|C], and the implied group share among kept rows). */
export interface M4Constraint {
  readonly name: string;
  readonly kind: 'representation' | 'association' | 'keep_rate';
  readonly eps: number;
  readonly rows: number;
  readonly target: number;
  readonly before: number;
  readonly after: number;
  readonly shareBefore: number;
  readonly shareAfter: number;
}

/** M4 result: per-row keep probabilities (0 for inactive rows) and the constraint report. */
export interface M4Result {
  readonly q: Float64Array;
  readonly constraints: M4Constraint[];
  readonly expectedKeepRate: number;
  readonly infeasible: { name: string; residual: number; eps: number; excess: number }[];
  readonly skippedConcepts: { concept: string; rows: number }[];
  readonly iterations: number;
}

/** Fits M4 keep probabilities for the active rows (statistics, fit and per-row q in one process). */
export function fitM4(
  active: Uint8Array,
  attrs: readonly (string[] | null)[],
  utility: Float32Array | null,
  o: M4Options,
): M4Result {
  const bins = m4Bins(o, utility !== null);
  const edges = utilityEdges(active, utility, bins);
  const binOf = (i: number): number => (bins === 1 ? 0 : utilityBin(utility![i]!, edges));
  const patterns = m4Patterns(o);
  const stats: M4Stats = new Map();
  addM4Stats(stats, patterns, active, attrs, utility, binOf);
  const { cellQ, ...fit } = fitM4Cells(stats, o);
  const q = new Float64Array(active.length);
  for (let i = 0; i < active.length; i++) {
    if (active[i]) q[i] = m4RowQ(cellQ, patterns, attrs[i] ?? null, binOf(i), utility ? utility[i]! : 0, o.beta);
  }
  return { q, ...fit };
}

/** A row's keep probability from the fitted cells: its cell's q, shifted by β times its utility's offset from the cell mean. */
export function m4RowQ(
  cellQ: M4Fit['cellQ'],
  patterns: M4Patterns,
  attrs: readonly string[] | null,
  bin: number,
  utility: number,
  beta: number,
): number {
  const { key } = patterns.cellOf(attrs, bin);
  const cell = cellQ.get(key);
  if (!cell) throw new Error(`M4: no fitted cell for pattern ${key} (statistics do not cover this row)`);
  if (beta === 0) return cell.q;
  const shifted = cell.q + beta * (utility - cell.u);
  return shifted < 0 ? 0 : shifted > 1 ? 1 : shifted;
}

/** Keeps row i with probability q[i], decided by a seeded hash of its id (deterministic). */
export function sampleKeep(ids: readonly string[], q: Float64Array, active: Uint8Array, seed: number): void {
  for (let i = 0; i < q.length; i++) if (active[i] && uniform53(ids[i]!, seed) >= q[i]!) active[i] = 0;
}
