// Native Add/Sub/Multiply/RealDiv: bit-equal to the backends' own kernels for every broadcast layout they take over,
// the rest (and int32) left to the backend, and gradients through them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { binaryLayout } from '../../native/binary-kernels.js';
import { BACKENDS, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

const OPS = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div } as const;

// [a, b]: same shape, scalars, rows ([C] against [N, C]), columns ([N, 1] against [N, C]), a middle broadcast that
// falls back, and one big enough for threads.
const SHAPES: [number[], number[]][] = [
  [
    [8, 16, 64],
    [8, 16, 64],
  ],
  [[8, 16, 64], []],
  [[], [7, 5]],
  [[512, 256], [256]],
  [[64], [8, 4, 64]],
  [
    [8, 16, 64],
    [8, 16, 1],
  ],
  [
    [64, 1],
    [64, 1024],
  ],
  [
    [32, 16, 64],
    [32, 1, 1],
  ],
  [
    [4, 1, 6],
    [4, 5, 6],
  ],
  [
    [2, 1, 3],
    [1, 4, 1],
  ],
  [
    [300, 300],
    [300, 300],
  ],
];

describe('binaryLayout', () => {
  it('classifies each input against the broadcast output shape', () => {
    assert.deepEqual(binaryLayout([32, 16, 64], [32, 16, 64]), [0, 32768]);
    assert.deepEqual(binaryLayout([], [3, 4]), [1, 1]);
    assert.deepEqual(binaryLayout([1, 1], [3, 4]), [1, 1]);
    assert.deepEqual(binaryLayout([256], [512, 256]), [2, 256]);
    assert.deepEqual(binaryLayout([1, 16, 64], [32, 16, 64]), [2, 1024]);
    assert.deepEqual(binaryLayout([32, 16, 1], [32, 16, 64]), [3, 64]);
    assert.deepEqual(binaryLayout([32, 1, 1], [32, 16, 64]), [3, 1024]);
    assert.equal(binaryLayout([4, 1, 6], [4, 5, 6]), null);
  });
});

for (const backend of BACKENDS) {
  describe(`native binary ops on ${backend}`, { skip }, () => {
    it('equal the backend’s own kernels bit for bit on every layout, incl. zeros, NaN and ±Infinity', async () => {
      const rand = rng(31);
      for (const [sa, sb] of SHAPES) {
        const a = randomValues(rand, sa);
        const b = randomValues(rand, sb);
        if (a.length > 3) a.set([0, NaN, Infinity], 0);
        if (b.length > 3) b.set([0, -0, -Infinity], 0);
        for (const [name, op] of Object.entries(OPS)) {
          const run = (): Float32Array =>
            tf.tidy(() => op(tf.tensor(a, sa), tf.tensor(b, sb)).dataSync() as Float32Array);
          const native = await onBackend(backend, true, run);
          const own = await onBackend(backend, false, run);
          assert.deepEqual(native, own, `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
        }
      }
      const ints = await onBackend(backend, true, () =>
        tf.tidy(() => Array.from(tf.add(tf.tensor([1, 2], [2], 'int32'), tf.scalar(3, 'int32')).dataSync())),
      );
      assert.deepEqual(ints, [4, 5]);
    });

    it('gradients through broadcast arithmetic match the backend’s own kernels, with no tensor leak', async () => {
      const x = randomValues(rng(32), [16, 8, 32]);
      const w = randomValues(rng(33), [32]);
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const xt = tf.tensor(x, [16, 8, 32]);
          const wt = tf.tensor(w, [32]);
          const f = (v: tf.Tensor, u: tf.Tensor): tf.Tensor => {
            const centered = tf.sub(v, tf.mean(v, -1, true));
            return tf.sum(tf.div(tf.mul(tf.add(centered, u), u), tf.add(tf.mean(tf.square(centered), -1, true), 1)));
          };
          const [gx, gw] = tf.grads(f)([xt, wt]);
          return [gx!.dataSync() as Float32Array, gw!.dataSync() as Float32Array];
        });
      const before = tf.memory().numTensors;
      const native = await onBackend(backend, true, run);
      const own = await onBackend(backend, false, run);
      assert.equal(tf.memory().numTensors, before);
      // Reductions inside the gradients sum in different orders on the native Sum: compare within float32 rounding.
      native.forEach((g, i) =>
        g.forEach((v, j) => {
          const o = own[i]![j]!;
          if (!(Math.abs(v - o) <= 1e-4 * (Math.abs(o) + 1))) assert.fail(`gradient ${i}[${j}]: ${v} vs ${o}`);
        }),
      );
    });
  });
}
