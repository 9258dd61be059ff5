// M4 (multi-modal moment matching) balancing, as reconstructed in siglip2-recipe.md §6.2: per-row keep
// probabilities q = clip(η + β·u − vᵀa − μ, 0, 1) fitted by projected dual ascent so that
//   representation:  |E[q·(s_k − π_k) | scope_k]|          ≤ ε_R   for each group k
//   association:     |E[q·(s_k − π_k) | scope_k, concept r]| ≤ ε_A   for each group k and concept r
//   keep rate:       E[q] = η
// Two deliberate readings of the reconstruction: a group's constraint only covers rows in its scope (rows that
// carry any attribute of the group's family, e.g. some gender term), so rows without people are not forced to
// be "50% man"; and each constraint is normalised by its support, so ε is a share-like tolerance even for rare
// concepts. Rows with the same (groups, concepts) pattern and utility bin share q, so the fit runs on cells.
import { uniform53 } from './hash.js';

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

interface Cell {
  count: number;
  u: number;
  /** Nonzero constraint coordinates (indices into the constraint list) and their normalised values. */
  idx: Int32Array;
  val: Float64Array;
  /** N/support per coordinate, so that Σ w·q·mass = E[q | C_j]. */
  mass: Float64Array;
}

/** Fits M4 keep probabilities for the active rows. */
export function fitM4(
  active: Uint8Array,
  attrs: readonly (string[] | null)[],
  utility: Float32Array | null,
  o: M4Options,
): M4Result {
  const n = active.length;
  const groups = Object.keys(o.groups).sort();
  const family = (a: string): string => (a.includes(':') ? a.slice(0, a.indexOf(':')) : a);
  const isConcept = (a: string): boolean => o.conceptPrefixes.some((p) => a.startsWith(`${p}:`));
  // Pass 1: patterns and supports.
  let nActive = 0;
  const patternOf = new Int32Array(n).fill(-1);
  const patterns: { s: number[]; scope: number[]; concepts: string[] }[] = [];
  const patternIndex = new Map<string, number>();
  const conceptRows = new Map<string, Float64Array>(); // concept → rows in scope per group
  const scopeRows = new Float64Array(groups.length);
  const groupFamilies = groups.map(family);
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    nActive++;
    const a = attrs[i];
    if (!a || a.length === 0) continue;
    const fams = new Set(a.map(family));
    const scope = groupFamilies.map((f) => (fams.has(f) ? 1 : 0));
    if (!scope.some((x) => x)) continue;
    const s = groups.map((g) => (a.includes(g) ? 1 : 0));
    const concepts = [...new Set(a.filter(isConcept))].sort();
    const key = `${s.join('')}|${scope.join('')}|${concepts.join(',')}`;
    let p = patternIndex.get(key);
    if (p === undefined) {
      p = patterns.length;
      patterns.push({ s, scope, concepts });
      patternIndex.set(key, p);
    }
    patternOf[i] = p;
    scope.forEach((x, k) => (scopeRows[k] = scopeRows[k]! + x));
    for (const cpt of concepts) {
      let r = conceptRows.get(cpt);
      if (!r) conceptRows.set(cpt, (r = new Float64Array(groups.length)));
      scope.forEach((x, k) => (r![k] = r![k]! + x));
    }
  }
  // Constraints: representation per group, association per group × concept with enough support.
  const names: string[] = [];
  const kinds: ('representation' | 'association')[] = [];
  const eps: number[] = [];
  const support: number[] = [];
  const targets: number[] = [];
  const colOf = new Map<string, number>();
  groups.forEach((g, k) => {
    if (scopeRows[k]! === 0) return;
    colOf.set(`${k}|`, names.length);
    names.push(`representation ${g}`);
    kinds.push('representation');
    eps.push(o.epsRepresentation);
    support.push(scopeRows[k]!);
    targets.push(o.groups[g]!);
  });
  const skippedConcepts: M4Result['skippedConcepts'] = [];
  for (const cpt of [...conceptRows.keys()].sort()) {
    const r = conceptRows.get(cpt)!;
    groups.forEach((g, k) => {
      if (r[k]! === 0) return;
      if (r[k]! < o.minConceptRows) {
        if (!skippedConcepts.some((x) => x.concept === cpt)) skippedConcepts.push({ concept: cpt, rows: r[k]! });
        return;
      }
      colOf.set(`${k}|${cpt}`, names.length);
      names.push(`association ${g} × ${cpt}`);
      kinds.push('association');
      eps.push(o.epsAssociation);
      support.push(r[k]!);
      targets.push(o.groups[g]!);
    });
  }
  const m = names.length;
  // Cells: pattern × utility bin (one bin when β = 0); the empty pattern (a = 0) is its own pattern −1.
  const bins = o.beta !== 0 && utility ? 32 : 1;
  const binOf = utilityBins(active, utility, bins);
  const cellIndex = new Map<number, number>();
  const cells: Cell[] = [];
  const cellOf = new Int32Array(n).fill(-1);
  const vecOf = patterns.map((p) => patternVector(p, groups, colOf, support, o.groups, nActive));
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    const key = (patternOf[i]! + 1) * bins + binOf[i]!;
    let ci = cellIndex.get(key);
    if (ci === undefined) {
      ci = cells.length;
      const vec = patternOf[i]! >= 0 ? vecOf[patternOf[i]!]! : EMPTY;
      cells.push({ count: 0, u: 0, idx: vec.idx, val: vec.val, mass: vec.mass });
      cellIndex.set(key, ci);
    }
    cellOf[i] = ci;
    cells[ci]!.count++;
    cells[ci]!.u += utility ? utility[i]! : 0;
  }
  for (const cell of cells) cell.u = cell.count > 0 ? cell.u / cell.count : 0;
  // Diagonal step sizes from the curvature of each dual coordinate.
  const curv = new Float64Array(m);
  let nnzMax = 1;
  for (const cell of cells) {
    nnzMax = Math.max(nnzMax, cell.idx.length + 1);
    for (let t = 0; t < cell.idx.length; t++)
      curv[cell.idx[t]!] = curv[cell.idx[t]!]! + (cell.count / Math.max(1, nActive)) * cell.val[t]! ** 2;
  }
  const step = Float64Array.from(curv, (x) => (x > 0 ? 1 / (x * nnzMax) : 0));
  const stepMu = 1 / nnzMax;
  const vPos = new Float64Array(m);
  const vNeg = new Float64Array(m);
  let mu = 0;
  const g = new Float64Array(m);
  const margin = 0.8; // aim inside ε so that sampling noise leaves the realised sample within it
  const qCell = (cell: Cell): number => {
    let lin = o.eta + o.beta * cell.u - mu;
    for (let t = 0; t < cell.idx.length; t++) lin -= (vPos[cell.idx[t]!]! - vNeg[cell.idx[t]!]!) * cell.val[t]!;
    return lin < 0 ? 0 : lin > 1 ? 1 : lin;
  };
  let iterations = 0;
  for (; iterations < o.maxIter && nActive > 0; iterations++) {
    g.fill(0);
    let meanQ = 0;
    for (const cell of cells) {
      const q = qCell(cell);
      const w = cell.count / nActive;
      meanQ += w * q;
      for (let t = 0; t < cell.idx.length; t++) g[cell.idx[t]!] = g[cell.idx[t]!]! + w * q * cell.val[t]!;
    }
    let worst = Math.abs(meanQ - o.eta) / 1e-4;
    for (let j = 0; j < m; j++)
      worst = Math.max(worst, (Math.abs(g[j]!) - margin * eps[j]!) / (1e-3 * eps[j]! + 1e-12));
    if (worst <= 1 && iterations > 0) break;
    for (let j = 0; j < m; j++) {
      vPos[j] = Math.max(0, vPos[j]! + step[j]! * (g[j]! - margin * eps[j]!));
      vNeg[j] = Math.max(0, vNeg[j]! + step[j]! * (-g[j]! - margin * eps[j]!));
    }
    mu += stepMu * (meanQ - o.eta);
  }
  // Per-row q (exact utility, not the bin mean) and the report.
  const q = new Float64Array(n);
  const cellQ = cells.map(qCell);
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    const cell = cells[cellOf[i]!]!;
    if (bins === 1) q[i] = cellQ[cellOf[i]!]!;
    else {
      const shifted = cellQ[cellOf[i]!]! + o.beta * (utility![i]! - cell.u);
      q[i] = shifted < 0 ? 0 : shifted > 1 ? 1 : shifted;
    }
  }
  const before = constraintValues(cells, () => o.eta, m, nActive);
  const qByCell = new Map(cells.map((cell, k) => [cell, cellQ[k]!]));
  const after = constraintValues(cells, (cell) => qByCell.get(cell)!, m, nActive);
  const constraints: M4Constraint[] = names.map((name, j) => ({
    name,
    kind: kinds[j]!,
    eps: eps[j]!,
    rows: support[j]!,
    target: targets[j]!,
    before: before.g[j]!,
    after: after.g[j]!,
    shareBefore: targets[j]! + before.g[j]! / Math.max(1e-12, before.qMass[j]!),
    shareAfter: targets[j]! + after.g[j]! / Math.max(1e-12, after.qMass[j]!),
  }));
  const expectedKeepRate = nActive > 0 ? after.meanQ : 0;
  constraints.push({
    name: 'keep_rate',
    kind: 'keep_rate',
    eps: 0.005,
    rows: nActive,
    target: o.eta,
    before: 0,
    after: expectedKeepRate - o.eta,
    shareBefore: o.eta,
    shareAfter: expectedKeepRate,
  });
  const infeasible = constraints
    .filter((c) => Math.abs(c.after) > c.eps + 1e-9)
    .map((c) => ({ name: c.name, residual: c.after, eps: c.eps, excess: Math.abs(c.after) - c.eps }));
  return { q, constraints, expectedKeepRate, infeasible, skippedConcepts, iterations };
}

function patternVector(
  p: { s: number[]; scope: number[]; concepts: string[] },
  groups: string[],
  colOf: Map<string, number>,
  support: number[],
  pi: Readonly<{ [attr: string]: number }>,
  nActive: number,
): { idx: Int32Array; val: Float64Array; mass: Float64Array } {
  const idx: number[] = [];
  const val: number[] = [];
  const mass: number[] = [];
  groups.forEach((gname, k) => {
    if (!p.scope[k]) return;
    const d = p.s[k]! - pi[gname]!;
    for (const key of [`${k}|`, ...p.concepts.map((c) => `${k}|${c}`)]) {
      const j = colOf.get(key);
      if (j === undefined) continue;
      idx.push(j);
      // Normalised by the constraint's support so that E[q·a_j] = E[q·(s−π) | C_j].
      val.push((d * nActive) / support[j]!);
      mass.push(nActive / support[j]!);
    }
  });
  return { idx: Int32Array.from(idx), val: Float64Array.from(val), mass: Float64Array.from(mass) };
}

function constraintValues(
  cells: Cell[],
  qOf: (c: Cell) => number,
  m: number,
  nActive: number,
): { g: Float64Array; qMass: Float64Array; meanQ: number } {
  const g = new Float64Array(m);
  const qMass = new Float64Array(m);
  let meanQ = 0;
  for (const cell of cells) {
    const q = qOf(cell);
    const w = cell.count / Math.max(1, nActive);
    meanQ += w * q;
    for (let t = 0; t < cell.idx.length; t++) {
      g[cell.idx[t]!] = g[cell.idx[t]!]! + w * q * cell.val[t]!;
      qMass[cell.idx[t]!] = qMass[cell.idx[t]!]! + w * q * cell.mass[t]!;
    }
  }
  return { g, qMass, meanQ };
}

const EMPTY = { idx: new Int32Array(0), val: new Float64Array(0), mass: new Float64Array(0) };

function utilityBins(active: Uint8Array, utility: Float32Array | null, bins: number): Int32Array {
  const out = new Int32Array(active.length);
  if (bins === 1 || !utility) return out;
  const vals = Float64Array.from(utility.filter((_, i) => active[i] === 1)).sort();
  const edges = Array.from({ length: bins - 1 }, (_, b) => vals[Math.floor(((b + 1) * vals.length) / bins)] ?? 0);
  for (let i = 0; i < active.length; i++) {
    let b = 0;
    while (b < edges.length && utility[i]! >= edges[b]!) b++;
    out[i] = b;
  }
  return out;
}

/** Keeps row i with probability q[i], decided by a seeded hash of its id (deterministic). */
export function sampleKeep(ids: readonly string[], q: Float64Array, active: Uint8Array, seed: number): void {
  for (let i = 0; i < q.length; i++) if (active[i] && uniform53(ids[i]!, seed) >= q[i]!) active[i] = 0;
}
