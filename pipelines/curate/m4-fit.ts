// M4's fit on aggregated cell statistics (see m4.ts for the model): build the constraints from the cells'
// supports, run projected dual ascent on per-cell keep probabilities, and report each constraint before/after.
// Needs no per-row data, so it runs the same on one process's rows or on statistics merged from many.
import { type M4Constraint, type M4Options, type M4Result } from './m4.js';
import { type M4CellStats, type M4Stats } from './m4-stats.js';

interface Cell {
  count: number;
  u: number;
  /** Nonzero constraint coordinates (indices into the constraint list) and their normalised values. */
  idx: Int32Array;
  val: Float64Array;
  /** N/support per coordinate, so that Σ w·q·mass = E[q | C_j]. */
  mass: Float64Array;
}

interface Constraints {
  names: string[];
  kinds: ('representation' | 'association')[];
  eps: number[];
  support: number[];
  targets: number[];
  colOf: Map<string, number>;
  skippedConcepts: M4Result['skippedConcepts'];
}

/** The fit: keep probability and mean utility per cell key, and the report. */
export interface M4Fit extends Omit<M4Result, 'q'> {
  readonly cellQ: Map<string, { q: number; u: number }>;
}

/** Fits M4 from cell statistics. */
export function fitM4Cells(stats: M4Stats, o: M4Options): M4Fit {
  const groups = Object.keys(o.groups).sort();
  let nActive = 0;
  for (const c of stats.values()) nActive += c.count;
  const cons = buildConstraints([...stats.values()], groups, o);
  const cells = [...stats.values()].map((st) => cellOf(st, groups, cons, o.groups, nActive));
  const dual = dualAscent(cells, cons, o, nActive);
  const cellQ = new Map<string, { q: number; u: number }>();
  [...stats.keys()].forEach((key, k) => cellQ.set(key, { q: dual.cellQ[k]!, u: cells[k]!.u }));
  return { cellQ, ...report(cells, dual.cellQ, cons, o, nActive), iterations: dual.iterations };
}

function buildConstraints(stats: readonly M4CellStats[], groups: string[], o: M4Options): Constraints {
  const scopeRows = new Float64Array(groups.length);
  const conceptRows = new Map<string, Float64Array>(); // concept → rows in scope per group
  for (const st of stats) {
    if (st.empty) continue;
    st.scope.forEach((x, k) => (scopeRows[k] = scopeRows[k]! + x * st.count));
    for (const cpt of st.concepts) {
      let r = conceptRows.get(cpt);
      if (!r) conceptRows.set(cpt, (r = new Float64Array(groups.length)));
      st.scope.forEach((x, k) => (r![k] = r![k]! + x * st.count));
    }
  }
  const c: Constraints = {
    names: [],
    kinds: [],
    eps: [],
    support: [],
    targets: [],
    colOf: new Map(),
    skippedConcepts: [],
  };
  const add = (key: string, name: string, kind: 'representation' | 'association', rows: number, g: string): void => {
    c.colOf.set(key, c.names.length);
    c.names.push(name);
    c.kinds.push(kind);
    c.eps.push(kind === 'representation' ? o.epsRepresentation : o.epsAssociation);
    c.support.push(rows);
    c.targets.push(o.groups[g]!);
  };
  groups.forEach((g, k) => {
    if (scopeRows[k]! > 0) add(`${k}|`, `representation ${g}`, 'representation', scopeRows[k]!, g);
  });
  for (const cpt of [...conceptRows.keys()].sort()) {
    const r = conceptRows.get(cpt)!;
    groups.forEach((g, k) => {
      if (r[k]! === 0) return;
      if (r[k]! < o.minConceptRows) {
        if (!c.skippedConcepts.some((x) => x.concept === cpt)) c.skippedConcepts.push({ concept: cpt, rows: r[k]! });
        return;
      }
      add(`${k}|${cpt}`, `association ${g} × ${cpt}`, 'association', r[k]!, g);
    });
  }
  return c;
}

function cellOf(
  st: M4CellStats,
  groups: string[],
  cons: Constraints,
  pi: Readonly<{ [attr: string]: number }>,
  nActive: number,
): Cell {
  const idx: number[] = [];
  const val: number[] = [];
  const mass: number[] = [];
  if (!st.empty) {
    groups.forEach((gname, k) => {
      if (!st.scope[k]) return;
      const d = st.s[k]! - pi[gname]!;
      for (const key of [`${k}|`, ...st.concepts.map((c) => `${k}|${c}`)]) {
        const j = cons.colOf.get(key);
        if (j === undefined) continue;
        idx.push(j);
        // Normalised by the constraint's support so that E[q·a_j] = E[q·(s−π) | C_j].
        val.push((d * nActive) / cons.support[j]!);
        mass.push(nActive / cons.support[j]!);
      }
    });
  }
  return {
    count: st.count,
    u: st.count > 0 ? st.uSum / st.count : 0,
    idx: Int32Array.from(idx),
    val: Float64Array.from(val),
    mass: Float64Array.from(mass),
  };
}

function dualAscent(
  cells: Cell[],
  cons: Constraints,
  o: M4Options,
  nActive: number,
): { cellQ: number[]; iterations: number } {
  const m = cons.names.length;
  const eps = cons.eps;
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
  return { cellQ: cells.map(qCell), iterations };
}

function report(
  cells: Cell[],
  cellQ: number[],
  cons: Constraints,
  o: M4Options,
  nActive: number,
): Omit<M4Result, 'q' | 'iterations'> {
  const m = cons.names.length;
  const before = constraintValues(cells, () => o.eta, m, nActive);
  const after = constraintValues(cells, (k) => cellQ[k]!, m, nActive);
  const constraints: M4Constraint[] = cons.names.map((name, j) => ({
    name,
    kind: cons.kinds[j]!,
    eps: cons.eps[j]!,
    rows: cons.support[j]!,
    target: cons.targets[j]!,
    before: before.g[j]!,
    after: after.g[j]!,
    shareBefore: cons.targets[j]! + before.g[j]! / Math.max(1e-12, before.qMass[j]!),
    shareAfter: cons.targets[j]! + after.g[j]! / Math.max(1e-12, after.qMass[j]!),
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
  return { constraints, expectedKeepRate, infeasible, skippedConcepts: cons.skippedConcepts };
}

function constraintValues(
  cells: Cell[],
  qOf: (k: number) => number,
  m: number,
  nActive: number,
): { g: Float64Array; qMass: Float64Array; meanQ: number } {
  const g = new Float64Array(m);
  const qMass = new Float64Array(m);
  let meanQ = 0;
  cells.forEach((cell, k) => {
    const q = qOf(k);
    const w = cell.count / Math.max(1, nActive);
    meanQ += w * q;
    for (let t = 0; t < cell.idx.length; t++) {
      g[cell.idx[t]!] = g[cell.idx[t]!]! + w * q * cell.val[t]!;
      qMass[cell.idx[t]!] = qMass[cell.idx[t]!]! + w * q * cell.mass[t]!;
    }
  });
  return { g, qMass, meanQ };
}
