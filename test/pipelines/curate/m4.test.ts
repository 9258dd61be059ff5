import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../pipelines/curate/hash.js';
import { fitM4, m4RowQ, type M4Options, sampleKeep } from '../../../pipelines/curate/m4.js';
import { fitM4Cells } from '../../../pipelines/curate/m4-fit.js';
import {
  addM4Stats,
  m4Bins,
  m4Patterns,
  mergeM4Stats,
  type M4Stats,
  utilityBin,
  utilityEdges,
} from '../../../pipelines/curate/m4-stats.js';

/** Rows with a planted gender × occupation correlation: doctors 80% men, nurses 80% women, 60% men overall. */
function planted(n: number, seed: number, person = 0.3, base = 0.6): { attrs: (string[] | null)[]; ids: string[] } {
  const rand = mulberry32(seed);
  const attrs: (string[] | null)[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(`row-${seed}-${i}`);
    const a: string[] = [];
    const occ = rand();
    const hasPerson = rand() < person;
    if (hasPerson) {
      let pMan = base;
      if (occ < 0.2) {
        pMan = 0.8;
        a.push('occupation:doctor');
      } else if (occ < 0.35) {
        pMan = 0.2;
        a.push('occupation:nurse');
      } else if (occ < 0.45) a.push('occupation:teacher');
      a.push(rand() < pMan ? 'gender:man' : 'gender:woman');
    } else if (occ < 0.1) {
      a.push('occupation:doctor'); // a concept with no person in scope
    }
    attrs.push(a.length ? a : null);
  }
  return { attrs, ids };
}

const options: M4Options = {
  eta: 0.9,
  groups: { 'gender:man': 0.5, 'gender:woman': 0.5 },
  conceptPrefixes: ['occupation'],
  epsRepresentation: 0.01,
  epsAssociation: 0.01,
  beta: 0,
  minConceptRows: 20,
  maxIter: 20000,
};

describe('M4 balancing', () => {
  it('meets representation and association constraints within ε at keep rate ≈ η on a planted correlation', () => {
    const n = 20000;
    const { attrs, ids } = planted(n, 1);
    const active = new Uint8Array(n).fill(1);
    const res = fitM4(active, attrs, null, options);
    assert.deepEqual(res.infeasible, [], JSON.stringify(res.infeasible));
    for (const c of res.constraints) {
      assert.ok(Number.isFinite(c.after) && Number.isFinite(c.shareAfter), `${c.name} finite`);
      assert.ok(Math.abs(c.after) <= c.eps + 1e-9, `${c.name}: ${c.after} vs ε ${c.eps}`);
    }
    const doctorMan = res.constraints.find((c) => c.name === 'association gender:man × occupation:doctor')!;
    assert.ok(doctorMan.shareBefore > 0.75, `planted share ${doctorMan.shareBefore}`);
    assert.ok(Math.abs(doctorMan.shareAfter - 0.5) < 0.03, `balanced share ${doctorMan.shareAfter}`);
    assert.ok(Math.abs(res.expectedKeepRate - 0.9) < 0.005, `keep rate ${res.expectedKeepRate}`);
    for (let i = 0; i < n; i++) assert.ok(res.q[i]! >= 0 && res.q[i]! <= 1);
    // The realised sample (deterministic for the seed) keeps ≈ η and balances doctors.
    const keep = active.slice();
    sampleKeep(ids, res.q, keep, 7);
    let kept = 0;
    let doc = 0;
    let docMan = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      kept++;
      if (attrs[i]?.includes('occupation:doctor') && attrs[i]?.some((a) => a.startsWith('gender:'))) {
        doc++;
        if (attrs[i]!.includes('gender:man')) docMan++;
      }
    }
    assert.ok(Math.abs(kept / n - 0.9) < 0.01, `realised keep rate ${kept / n}`);
    assert.ok(Math.abs(docMan / doc - 0.5) < 0.06, `realised doctor man share ${docMan / doc}`);
    const again = active.slice();
    sampleKeep(ids, res.q, again, 7);
    assert.deepEqual(again, keep, 'deterministic for a seed');
  });

  it('reports an infeasible constraint with its size and never produces NaN', () => {
    // Only men in scope: "50% women" cannot be met at any keep rate near η.
    const n = 2000;
    const attrs = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? ['gender:man'] : null));
    const active = new Uint8Array(n).fill(1);
    const res = fitM4(active, attrs, null, { ...options, maxIter: 3000 });
    assert.ok(res.infeasible.length > 0);
    const rep = res.infeasible.find((c) => c.name === 'representation gender:man');
    assert.ok(rep, JSON.stringify(res.infeasible));
    assert.ok(rep.excess > 0.01 && Number.isFinite(rep.excess), `excess ${rep.excess}`);
    for (let i = 0; i < n; i++) assert.ok(!Number.isNaN(res.q[i]!));
  });

  it('reports the keep rate as unmet when balancing needs more removal than 1 − η allows', () => {
    const n = 20000;
    const { attrs } = planted(n, 2, 0.45, 0.7);
    const res = fitM4(new Uint8Array(n).fill(1), attrs, null, options);
    const keep = res.infeasible.find((c) => c.name === 'keep_rate');
    assert.ok(keep, JSON.stringify(res.infeasible));
    assert.ok(keep.residual < -0.05 && Number.isFinite(keep.residual), `keep-rate shortfall ${keep.residual}`);
  });

  it('handles no attributes and empty input without NaN', () => {
    const res = fitM4(new Uint8Array(10).fill(1), new Array(10).fill(null), null, options);
    assert.equal(res.constraints.length, 1);
    assert.ok(Math.abs(res.expectedKeepRate - 0.9) < 1e-9);
    const empty = fitM4(new Uint8Array(0), [], null, options);
    assert.equal(empty.expectedKeepRate, 0);
  });
});

describe('M4 from aggregated statistics', () => {
  it('fits the same keep probabilities from statistics merged over row partitions as from all rows at once', () => {
    const n = 12000;
    const { attrs } = planted(n, 3);
    const rand = mulberry32(9);
    const utility = Float32Array.from({ length: n }, () => rand());
    const active = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : 1));
    for (const beta of [0, 0.2]) {
      const o = { ...options, beta };
      const whole = fitM4(active, attrs, beta ? utility : null, o);
      const bins = m4Bins(o, beta !== 0);
      const edges = utilityEdges(active, beta ? utility : null, bins);
      const binOf = (i: number): number => (bins === 1 ? 0 : utilityBin(utility[i]!, edges));
      const patterns = m4Patterns(o);
      const merged: M4Stats = new Map();
      for (const [lo, hi] of [
        [0, 5000],
        [5000, 5001],
        [5001, n],
      ] as const) {
        const part: M4Stats = new Map();
        addM4Stats(
          part,
          patterns,
          active.subarray(lo, hi),
          attrs.slice(lo, hi),
          beta ? utility.subarray(lo, hi) : null,
          (i) => binOf(lo + i),
        );
        mergeM4Stats(merged, part);
      }
      const fit = fitM4Cells(merged, o);
      assert.deepEqual(
        fit.constraints.map((c) => c.name),
        whole.constraints.map((c) => c.name),
      );
      assert.equal(fit.iterations, whole.iterations);
      let maxDiff = 0;
      for (let i = 0; i < n; i++) {
        if (!active[i]) continue;
        const q = m4RowQ(fit.cellQ, patterns, attrs[i] ?? null, binOf(i), utility[i]!, beta);
        maxDiff = Math.max(maxDiff, Math.abs(q - whole.q[i]!));
      }
      // β = 0: integer counts only, bit-identical; β > 0: utility sums added in another order (float rounding).
      assert.ok(beta === 0 ? maxDiff === 0 : maxDiff < 1e-9, `β=${beta}: max |Δq| ${maxDiff}`);
      assert.ok(
        whole.q.some((q, i) => active[i] && q !== whole.q[0]),
        'q varies (the fit did something)',
      );
    }
  });
});
