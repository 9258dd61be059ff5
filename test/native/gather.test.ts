// Native GatherV2 against the backends' own kernel on every axis, its out-of-range error, and the gradient through it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

for (const backend of BACKENDS) {
  describe(`native GatherV2 on ${backend}`, { skip }, () => {
    it('equals the backend’s own kernel for embeddings, other axes, index matrices and repeats', async () => {
      const rand = rng(41);
      const cases: [number[], number[], number[], number][] = [
        [[1024, 64], [480], Array.from({ length: 480 }, (_, i) => (i * 37) % 1024), 0],
        [[4, 6, 5], [2, 3], [5, 0, 5, 1, 2, 2], 1],
        [[3, 7], [4], [6, 6, 0, 3], 1],
        [[5], [0], [], 0],
      ];
      for (const [shape, idShape, ids, axis] of cases) {
        const x = randomValues(rand, shape);
        const run = (): [number[], Float32Array] =>
          tf.tidy(() => {
            const y = tf.gather(tf.tensor(x, shape), tf.tensor(ids, idShape, 'int32'), axis);
            return [y.shape, y.dataSync() as Float32Array];
          });
        const native = await onBackend(backend, true, run);
        const own = await onBackend(backend, false, run);
        assert.deepEqual(native, own, `${shape} axis ${axis}`);
      }
    });

    it('rejects an index out of range with the backend’s own error and leaks nothing', async () => {
      const before = tf.memory().numTensors;
      await onBackend(backend, true, () =>
        tf.tidy(() => {
          assert.throws(
            () => tf.gather(tf.ones([4, 2]), tf.tensor([1, 4], [2], 'int32')),
            /index value 4 is not in \[0, 3\]/,
          );
        }),
      );
      assert.equal(tf.memory().numTensors, before);
    });

    it('gives the embedding gradient of a scatter-add reference (wasm has no gather gradient of its own)', async () => {
      const x = randomValues(rng(42), [50, 8]);
      const ids = Array.from({ length: 40 }, (_, i) => (i * 13) % 50);
      const run = (): Float32Array =>
        tf.tidy(() => {
          const f = (e: tf.Tensor): tf.Tensor => tf.sum(tf.square(tf.gather(e, tf.tensor(ids, [40], 'int32'))));
          return tf
            .grad(f)(tf.tensor(x, [50, 8]))
            .dataSync() as Float32Array;
        });
      const want = new Float32Array(x.length);
      for (const id of ids) for (let j = 0; j < 8; j++) want[id * 8 + j]! += 2 * x[id * 8 + j]!;
      const got = await onBackend(backend, true, run);
      got.forEach((g, i) =>
        assert.ok(Math.abs(g - want[i]!) <= 1e-6 * (Math.abs(want[i]!) + 1), `element ${i}: ${g} vs ${want[i]}`),
      );
    });
  });
}
