// Native UnsortedSegmentSum: exact sums per segment, skipped out-of-range ids, and gather's gradient on both backends
// (wasm has no kernel of its own, so without the addon tf.grad through tf.gather fails there).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { unregisterNativeKernels } from '../../native/index.js';
import { BACKENDS, assertClose, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

function referenceSegmentSum(x: Float32Array, ids: Int32Array, segments: number): Float64Array {
  const inner = x.length / ids.length;
  const out = new Float64Array(segments * inner);
  ids.forEach((s, i) => {
    if (s < 0 || s >= segments) return;
    for (let j = 0; j < inner; j++) out[s * inner + j]! += x[i * inner + j]!;
  });
  return out;
}

for (const backend of BACKENDS) {
  describe(`native UnsortedSegmentSum on ${backend}`, { skip }, () => {
    it('sums rows per segment (1e-5 relative) and skips ids outside [0, numSegments)', async () => {
      const rand = rng(backend === 'cpu' ? 31 : 32);
      for (const [n, inner, segments] of [
        [1, 1, 1],
        [50, 1, 7],
        [300, 24, 40],
        [64, 16, 1000],
      ] as const) {
        const x = randomValues(rand, [n, inner]);
        const ids = Int32Array.from({ length: n }, () => Math.floor(rand() * (segments + 4)) - 2);
        const got = await onBackend(backend, true, () =>
          tf.tidy(() =>
            tf.unsortedSegmentSum(tf.tensor(x, [n, inner]), tf.tensor1d(ids, 'int32'), segments).dataSync(),
          ),
        );
        assertClose(got, referenceSegmentSum(x, ids, segments), n, `n=${n} inner=${inner} segments=${segments}`);
      }
      const shaped = await onBackend(backend, true, () =>
        tf.tidy(() => tf.unsortedSegmentSum(tf.ones([4, 2, 3]), tf.tensor1d([0, 2, 0, 2], 'int32'), 3).arraySync()),
      );
      assert.deepEqual(shaped, [
        [
          [2, 2, 2],
          [2, 2, 2],
        ],
        [
          [0, 0, 0],
          [0, 0, 0],
        ],
        [
          [2, 2, 2],
          [2, 2, 2],
        ],
      ]);
    });

    it('gives tf.gather a gradient equal to the scatter-add reference, with no tensor leak', async () => {
      const rand = rng(33);
      const vocab = 500;
      const dim = 16;
      const table = randomValues(rand, [vocab, dim]);
      const ids = Int32Array.from({ length: 96 }, () => Math.floor(rand() * 40)); // many repeats
      const w = randomValues(rand, [96, dim]);
      let before = 0;
      const grad = await onBackend(backend, true, () => {
        before = tf.memory().numTensors;
        return tf.tidy(() => {
          const f = (t: tf.Tensor): tf.Scalar =>
            tf.sum(tf.mul(tf.gather(t, tf.tensor1d(ids, 'int32')), tf.tensor(w, [96, dim])));
          return tf
            .grad(f)(tf.tensor(table, [vocab, dim]))
            .dataSync();
        });
      });
      assert.equal(tf.memory().numTensors, before);
      assertClose(grad, referenceSegmentSum(w, ids, vocab), 96, 'd/dtable');
    });
  });
}

describe('UnsortedSegmentSum on wasm without the addon', { skip }, () => {
  it('is missing again after unregistering (the wasm backend has none of its own)', async () => {
    await onBackend('wasm', true, () => assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm')));
    unregisterNativeKernels('wasm');
    assert.equal(tf.getKernel('UnsortedSegmentSum', 'wasm'), undefined);
  });
});
