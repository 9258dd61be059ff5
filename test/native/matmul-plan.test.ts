// Pure shape planning for native matmul: broadcasting, batch indices, bias tiling and shape errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NativeShapeError } from '../../native/errors.js';
import { biasTiles, broadcastShapes, planMatMul } from '../../native/matmul-plan.js';

describe('planMatMul', () => {
  it('plans a plain 2-D product with identity batch indices', () => {
    const p = planMatMul([3, 4], [4, 5], false, false);
    assert.deepEqual([p.batch, p.m, p.n, p.k, p.outShape], [1, 3, 5, 4, [3, 5]]);
    assert.equal(p.aIndex, null);
    assert.equal(p.bIndex, null);
  });

  it('reads m, n and k through transposes', () => {
    const p = planMatMul([2, 4, 3], [2, 5, 4], true, true);
    assert.deepEqual([p.batch, p.m, p.n, p.k, p.outShape], [2, 3, 5, 4, [2, 3, 5]]);
  });

  it('broadcasts batch dims numpy-style, including both sides at once', () => {
    const p = planMatMul([2, 1, 5, 6], [1, 3, 6, 7], false, false);
    assert.deepEqual(p.outShape, [2, 3, 5, 7]);
    assert.deepEqual(Array.from(p.aIndex!), [0, 0, 0, 1, 1, 1]);
    assert.deepEqual(Array.from(p.bIndex!), [0, 1, 2, 0, 1, 2]);
  });

  it('broadcasts a 2-D weight over a 3-D batch and a shorter batch shape', () => {
    const w = planMatMul([4, 17, 24], [24, 40], false, false);
    assert.deepEqual(Array.from(w.bIndex!), [0, 0, 0, 0]);
    assert.equal(w.aIndex, null);
    const s = planMatMul([2, 3, 5, 6], [3, 6, 7], false, false);
    assert.deepEqual(Array.from(s.bIndex!), [0, 1, 2, 0, 1, 2]);
  });

  it('rejects mismatched inner sizes, non-broadcasting batches and rank < 2, naming the shapes', () => {
    assert.throws(
      () => planMatMul([2, 3], [4, 5], false, false),
      (e: unknown) => {
        assert.ok(e instanceof NativeShapeError);
        assert.match(e.message, /inner sizes 3 and 4 of \[2,3\] and \[4,5\]/);
        return true;
      },
    );
    assert.throws(() => planMatMul([2, 3, 3], [4, 3, 3], false, false), /batch dims \[2\] and \[4\] do not broadcast/);
    assert.throws(() => planMatMul([3], [3, 3], false, false), /rank ≥ 2/);
  });
});

describe('broadcastShapes and biasTiles', () => {
  it('broadcasts shapes of different ranks', () => {
    assert.deepEqual(broadcastShapes([3, 1], [2, 1, 4]), [2, 3, 4]);
    assert.deepEqual(broadcastShapes([], [5]), [5]);
  });

  it('accepts biases that repeat over the output and rejects column biases', () => {
    assert.equal(biasTiles([24], [3, 9, 24]), true);
    assert.equal(biasTiles([1, 24], [3, 9, 24]), true);
    assert.equal(biasTiles([9, 24], [3, 9, 24]), true);
    assert.equal(biasTiles([1], [3, 9, 24]), true);
    assert.equal(biasTiles([9, 1], [3, 9, 24]), false);
    assert.equal(biasTiles([2, 9, 24], [9, 24]), false);
  });
});
