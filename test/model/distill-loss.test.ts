// Self-distillation and masked-prediction losses (recipe §4) as pure functions of tensors.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { distillCrossEntropy, localToGlobalLoss, teacherProbs, updateCenter } from '../../model/losses/distill.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('distillation losses', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('teacher probabilities are centered, sharpened distributions', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1, 2, 3], [0, 0, 6]]);
      const p = teacherProbs(logits, tf.tensor1d([0, 0, 3]), 0.5);
      const rows = tf.sum(p, -1).dataSync();
      close(rows[0]!, 1);
      close(rows[1]!, 1);
      // Row 0 after centering is [1, 2, 0]/0.5: softmax of [2, 4, 0].
      const e = [Math.exp(2), Math.exp(4), 1];
      close(p.dataSync()[1]!, e[1]! / (e[0]! + e[1]! + e[2]!));
    });
  });

  it('cross-entropy equals the teacher entropy when the student matches, and is larger otherwise', () => {
    tf.tidy(() => {
      const s = tf.tensor2d([[0.3, -1, 2, 0.5]]);
      const pt = tf.softmax(tf.div(s, 0.1));
      const entropy = -Array.from(pt.dataSync()).reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);
      close(distillCrossEntropy(pt, s, 0.1).dataSync()[0]!, entropy, 1e-4);
      assert.ok(distillCrossEntropy(pt, tf.tensor2d([[2, 0.5, 0.3, -1]]), 0.1).dataSync()[0]! > entropy + 1);
    });
  });

  it('row weights select masked patches; local-to-global averages over views', () => {
    tf.tidy(() => {
      const pt = tf.tensor2d([[1, 0], [0, 1]]);
      const s = tf.tensor2d([[5, 0], [5, 0]]);
      const lsm = (x: number, y: number) => -(x - Math.log(Math.exp(x) + Math.exp(y)));
      close(distillCrossEntropy(pt, s, 1, tf.tensor1d([1, 0])).dataSync()[0]!, lsm(5, 0));
      close(distillCrossEntropy(pt, s, 1, tf.tensor1d([0, 1])).dataSync()[0]!, lsm(0, 5));
      // Two views of a batch of two: view-major rows [v0b0, v0b1, v1b0, v1b1].
      const views = tf.tensor2d([[5, 0], [0, 5], [5, 0], [5, 0]]);
      close(localToGlobalLoss(pt, views, 1).dataSync()[0]!, (lsm(5, 0) * 3 + lsm(0, 5)) / 4);
    });
  });

  it('center is an EMA of the mean teacher logits', () => {
    tf.tidy(() => {
      const c = updateCenter(tf.tensor1d([1, 1]), tf.tensor2d([[0, 2], [2, 4]]), 0.9).dataSync();
      close(c[0]!, 0.9 + 0.1 * 1);
      close(c[1]!, 0.9 + 0.1 * 3);
    });
  });
});
