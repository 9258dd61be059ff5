// Gradients through native matmuls: tf.grads of a matmul chain equal those computed with the backends' own kernels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, assertClose, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

/**
 * A small attention-and-MLP chain with 4-D batches, every transpose and a fused bias+relu; returns its gradients.
 * (No batch broadcasting here: tfjs's BatchMatMul gradient does not reduce broadcast dims on any backend.)
 */
function chainGrads(values: Float32Array[]): Float32Array[] {
  return tf.tidy(() => {
    const [x, w1, b1, w2, q] = [
      tf.tensor(values[0]!, [2, 3, 5, 8]),
      tf.tensor(values[1]!, [8, 12]),
      tf.tensor(values[2]!, [12]),
      tf.tensor(values[3]!, [12, 8]),
      tf.tensor(values[4]!, [2, 3, 5, 8]),
    ];
    const f = (xv: tf.Tensor, w1v: tf.Tensor, b1v: tf.Tensor, w2v: tf.Tensor, qv: tf.Tensor): tf.Scalar => {
      const scores = tf.matMul(qv, xv, false, true); // [2,3,5,5]
      const attended = tf.matMul(tf.softmax(scores), xv); // [2,3,5,8]
      const hidden = tf.fused.matMul({ a: attended.reshape([30, 8]), b: w1v, bias: b1v, activation: 'relu' });
      const out = tf.matMul(hidden, w2v, false, false); // [30,8]
      const back = tf.matMul(out, attended.reshape([30, 8]), true, false); // [8,8], transposed a
      return tf.sum(tf.square(back)).add(tf.sum(tf.sin(out)));
    };
    const grads = tf.grads(f)([x, w1, b1, w2, q]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

for (const backend of BACKENDS) {
  describe(`gradients through native matmuls on ${backend}`, { skip }, () => {
    it('tf.grads of a matmul chain matches the backend’s own kernels (scaled tolerance 1e-4·max|g|)', async () => {
      const rand = rng(backend === 'cpu' ? 21 : 22);
      const shapes = [[2, 3, 5, 8], [8, 12], [12], [12, 8], [2, 3, 5, 8]];
      const values = shapes.map((s) => randomValues(rand, s));
      const native = await onBackend(backend, true, () => chainGrads(values));
      const own = await onBackend(backend, false, () => chainGrads(values));
      assert.equal(native.length, 5);
      native.forEach((g, i) => {
        const scale = Math.max(...Array.from(own[i]!, Math.abs));
        assert.ok(scale > 0, `gradient ${i} is not identically zero`);
        // RTOL·(10·scale) = 1e-4·scale: the chain sums products of many terms, so errors grow with depth.
        assertClose(g, own[i]!, 10 * scale, `gradient ${i} of shape [${shapes[i]!.join(',')}]`);
      });
    });
  });
}
