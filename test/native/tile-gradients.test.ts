// Native Tile against the backends' own kernel, and the lean Sum/Mean gradients (broadcast instead of dy · ones):
// equal values, installed while any backend has the native kernels, TensorFlow.js's own back after the last.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { tryRegisterNativeKernels, unregisterNativeKernels } from '../../native/index.js';
import { BACKENDS, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();
// TensorFlow.js's own gradients, read before any test installs the lean ones.
const ownGradients = ['Sum', 'Mean'].map((k) => tf.getGradient(k));

for (const backend of BACKENDS) {
  describe(`native Tile and lean Sum/Mean gradients on ${backend}`, { skip }, () => {
    it('tile equals the backend’s own kernel for broadcasts, repeats and empty outputs', async () => {
      const rand = rng(21);
      const cases: [number[], number[]][] = [
        [
          [32, 16, 1],
          [1, 1, 64],
        ],
        [
          [1, 1, 64],
          [32, 16, 1],
        ],
        [
          [2, 3, 4],
          [3, 1, 2],
        ],
        [[5], [4]],
        [
          [1, 7, 1, 3],
          [2, 1, 5, 1],
        ],
        [
          [3, 2],
          [0, 1],
        ],
        [
          [300, 1],
          [1, 300],
        ], // 90,000 elements: split over threads
      ];
      for (const [shape, reps] of cases) {
        const x = randomValues(rand, shape);
        const run = (): Float32Array => tf.tidy(() => tf.tile(tf.tensor(x, shape), reps).dataSync() as Float32Array);
        const native = await onBackend(backend, true, run);
        const own = await onBackend(backend, false, run);
        assert.deepEqual(native, own, `${shape} tiled ${reps}`);
      }
    });

    it('Sum and Mean gradients equal TensorFlow.js’s own exactly (all axes, some, keepDims), with no leak', async () => {
      const x = randomValues(rng(22), [4, 6, 8]);
      const w = randomValues(rng(23), [4, 6, 8]);
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const xt = tf.tensor(x, [4, 6, 8]);
          const wt = tf.tensor(w, [4, 6, 8]);
          const fs: ((v: tf.Tensor) => tf.Tensor)[] = [
            (v) => tf.sum(tf.mul(tf.sum(v, -1, true), wt)),
            (v) => tf.sum(tf.mul(tf.mean(v, [0, 1]), tf.slice(wt, [0, 0, 0], [1, 1, 8]))),
            (v) => tf.mean(tf.mul(v, wt)),
            (v) => tf.sum(tf.mul(tf.mean(v, 1, true), tf.slice(wt, [0, 0, 0], [4, 1, 8]))),
          ];
          return fs.map((f) => tf.grad(f)(xt).dataSync() as Float32Array);
        });
      const before = tf.memory().numTensors;
      // Same kernels both ways (native on), only the Sum/Mean gradient functions differ.
      const [lean, own] = await onBackend(backend, true, () => {
        const leanGrads = ['Sum', 'Mean'].map((k) => tf.getGradient(k));
        const a = run();
        for (const g of ownGradients) tf.registerGradient(g);
        try {
          return [a, run()];
        } finally {
          for (const g of leanGrads) tf.registerGradient(g);
        }
      });
      assert.equal(tf.memory().numTensors, before);
      lean.forEach((g, i) => assert.deepEqual(g, own[i], `gradient ${i}`));
    });

    it('Sum and Mean of an empty tensor have an empty gradient', async () => {
      const grads = await onBackend(backend, true, () =>
        tf.tidy(() => [tf.sum, tf.mean].map((f) => tf.grad((v: tf.Tensor) => f(v, 1))(tf.zeros([2, 0, 3])).shape)),
      );
      assert.deepEqual(grads, [
        [2, 0, 3],
        [2, 0, 3],
      ]);
    });
  });
}

describe('lean gradient lifetime', { skip }, () => {
  it('stays while one backend has the native kernels and restores TensorFlow.js’s own after the last', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const own = tf.getGradient('Sum');
    tryRegisterNativeKernels('cpu');
    tryRegisterNativeKernels('wasm');
    assert.notEqual(tf.getGradient('Sum'), own);
    unregisterNativeKernels('cpu');
    assert.notEqual(tf.getGradient('Sum'), own, 'wasm still has the native kernels');
    unregisterNativeKernels('wasm');
    assert.equal(tf.getGradient('Sum'), own);
    assert.equal(unregisterNativeKernels('wasm'), false);
    assert.equal(tf.getGradient('Sum'), own);
  });
});
