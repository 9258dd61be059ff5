// Sigmoid loss invariants (recipe §9.1–9.3) on the cpu backend, in float32.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { chunkedSigmoidLoss, sigmoidLoss } from '../../model/losses/sigmoid.js';
import { l2Normalize } from '../../model/ops.js';

const T = Math.log(10);
const loss = (a: number[][], b: number[][]) =>
  tf.tidy(() => sigmoidLoss(tf.tensor2d(a), tf.tensor2d(b), tf.scalar(T), tf.scalar(-10)).dataSync()[0]!);
const eye = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('sigmoid loss', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('matches the float64 reference values of §9.1', () => {
    close(loss(eye(4), eye(4)), 0.6932833772575958);
    const rolled = [...eye(4).slice(1), eye(4)[0]!];
    close(loss(eye(4), rolled), 10.693283377257597);
    const same = Array.from({ length: 4 }, () => [1, 0, 0, 0]);
    close(loss(same, same), 2.772588722239783);
    close(loss([[1, 0], [0.6, 0.8]], [[0.8, 0.6], [0, 1]]), 2.3834583366925575);
  });

  it('is symmetric, permutation invariant, and the chunked ring form equals the full loss', () => {
    tf.tidy(() => {
      const a = l2Normalize(tf.randomNormal([8, 16], 0, 1, 'float32', 1));
      const b = l2Normalize(tf.randomNormal([8, 16], 0, 1, 'float32', 2));
      const t = tf.scalar(T);
      const bias = tf.scalar(-10);
      const full = sigmoidLoss(a, b, t, bias).dataSync()[0]!;
      close(sigmoidLoss(b, a, t, bias).dataSync()[0]!, full);
      const perm = tf.tensor1d([3, 1, 7, 0, 2, 6, 5, 4], 'int32');
      close(sigmoidLoss(tf.gather(a, perm), tf.gather(b, perm), t, bias).dataSync()[0]!, full);
      for (const d of [1, 2, 4, 8]) close(chunkedSigmoidLoss(a, b, t, bias, d).dataSync()[0]!, full, 1e-6);
      assert.throws(() => chunkedSigmoidLoss(a, b, t, bias, 3), /chunk count must divide the batch/);
    });
  });

  it('near-orthogonal embeddings at init give ≈ softplus(10) + (n−1)·softplus(−10)', () => {
    const n = 6;
    close(loss(eye(n), eye(n)), Math.log(2) + (n - 1) * Math.log1p(Math.exp(-10)));
    const random = tf.tidy(() => {
      const a = l2Normalize(tf.randomNormal([n, 512], 0, 1, 'float32', 3));
      const b = l2Normalize(tf.randomNormal([n, 512], 0, 1, 'float32', 4));
      return sigmoidLoss(a, b, tf.scalar(T), tf.scalar(-10)).dataSync()[0]!;
    });
    close(random, Math.log1p(Math.exp(10)) + (n - 1) * Math.log1p(Math.exp(-10)), 0.05);
  });

  it('gradient of b equals (1/n)[Σ_i (σ(ℓ_ii)−1) + Σ_{i≠j} σ(ℓ_ij)] and of t′ is finite', () => {
    tf.tidy(() => {
      const n = 5;
      const a = l2Normalize(tf.randomNormal([n, 8], 0, 1, 'float32', 5));
      const b = l2Normalize(tf.randomNormal([n, 8], 0, 1, 'float32', 6));
      const t = tf.scalar(T);
      const bias = tf.scalar(-3);
      const g = tf.grads((tt: tf.Tensor, bb: tf.Tensor) => sigmoidLoss(a, b, tt, bb))([t, bias]);
      const logits = tf.add(tf.mul(tf.matMul(a, b, false, true), 10), -3).arraySync() as number[][];
      let expected = 0;
      const sig = (x: number) => 1 / (1 + Math.exp(-x));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected += i === j ? sig(logits[i]![j]!) - 1 : sig(logits[i]![j]!);
      close(g[1]!.dataSync()[0]!, expected / n);
      assert.ok(Number.isFinite(g[0]!.dataSync()[0]!));
    });
  });
});
