// The wasm-friendly primitives have the same values and gradients as tfjs's built-in ops (checked on cpu, where the
// built-in gradients exist), and log-sigmoid is correct where tf.logSigmoid's gradient is not.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { bmm, broadcast, embed, geluTanh, linear, logSigmoid, logSoftmax, logSumExp } from '../../model/ops.js';

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
}

/** Compares value and gradients of f and g (same inputs) under a random cotangent. */
function sameGrads(f: (...x: tf.Tensor[]) => tf.Tensor, g: (...x: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tol = 1e-4): void {
  tf.tidy(() => {
    const fv = f(...inputs);
    const w = tf.randomNormal(fv.shape, 0, 1, 'float32', 9);
    assert.ok(maxDiff(fv, g(...inputs)) < tol, 'values differ');
    const gf = tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(f(...x), w)))(inputs);
    const gg = tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(g(...x), w)))(inputs);
    gf.forEach((d, i) => assert.ok(maxDiff(d, gg[i]!) < tol, `gradient ${i} differs by ${maxDiff(d, gg[i]!)}`));
  });
}

describe('ops', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('linear (with and without bias) matches matMul + add over rank-3 inputs', () => {
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([4, 3], 0, 1, 'float32', 2);
    const b = tf.randomNormal([3], 0, 1, 'float32', 3);
    sameGrads((xi, wi, bi) => linear(xi!, wi!, bi!), (xi, wi, bi) => tf.add(tf.matMul(tf.reshape(xi!, [10, 4]), wi!).reshape([2, 5, 3]), bi!), [x, w, b]);
    sameGrads((xi, wi) => linear(xi!, wi!), (xi, wi) => tf.matMul(tf.reshape(xi!, [10, 4]), wi!).reshape([2, 5, 3]), [x, w]);
    tf.dispose([x, w, b]);
  });

  it('bmm matches batched matMul', () => {
    const a = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 4);
    const b = tf.randomNormal([2, 3, 5, 6], 0, 1, 'float32', 5);
    sameGrads((x, y) => bmm(x!, y!), (x, y) => tf.matMul(x!, y!), [a, b]);
    tf.dispose([a, b]);
  });

  it('embed matches gather, repeated ids accumulating their gradients', () => {
    const table = tf.randomNormal([7, 3], 0, 1, 'float32', 6);
    const ids = tf.tensor2d([[1, 1, 6], [0, 1, 3]], [2, 3], 'int32');
    sameGrads((t) => embed(t!, ids), (t) => tf.gather(t!, ids), [table]);
    tf.dispose([table, ids]);
  });

  it('logSumExp, logSoftmax, GELU(tanh) and broadcast match their references', () => {
    const x = tf.randomNormal([3, 6], 0, 3, 'float32', 7);
    sameGrads((v) => logSumExp(v!), (v) => tf.logSumExp(v!, -1, true), [x]);
    sameGrads((v) => logSoftmax(v!), (v) => tf.logSoftmax(v!), [x]);
    const c = Math.sqrt(2 / Math.PI);
    sameGrads((v) => geluTanh(v!), (v) => tf.mul(tf.mul(0.5, v!), tf.add(1, tf.tanh(tf.mul(c, tf.add(v!, tf.mul(0.044715, tf.pow(v!, 3))))))), [x]);
    const p = tf.randomNormal([1, 1, 6], 0, 1, 'float32', 8);
    sameGrads((v) => broadcast(v!, [4, 2, 6]), (v) => tf.tile(v!, [4, 2, 1]), [p]);
    tf.dispose([x, p]);
  });

  it('logSigmoid has the analytic gradient σ(−x)', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([-30, -2, 0, 3, 40]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(logSigmoid(v)))(x).dataSync();
      const expected = [-30, -2, 0, 3, 40].map((v) => 1 / (1 + Math.exp(v)));
      g.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${v} vs ${expected[i]}`));
      assert.ok(Number.isFinite(logSigmoid(tf.scalar(-100)).dataSync()[0]!));
    });
  });
});
