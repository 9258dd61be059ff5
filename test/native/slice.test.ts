// Slice on wasm reads only the selected rows: bit-equal to the backend's own kernel over random ranks, begins and sizes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

describe('Slice on wasm', { skip }, () => {
  it('equals the backend kernel bit for bit (ranks 1–5, size −1, empty and whole slices), gradients included', async () => {
    const rand = rng(61);
    const cases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [];
    for (let trial = 0; trial < 40; trial++) {
      const rank = 1 + (trial % 5);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 6));
      const begin = shape.map((d) => Math.floor(rand() * d));
      const size = shape.map((d, i) => (rand() < 0.2 ? -1 : Math.floor(rand() * (d - begin[i]! + 1))));
      cases.push({ shape, begin, size });
    }
    cases.push({ shape: [4, 3], begin: [0, 0], size: [4, 3] }, { shape: [1536, 64], begin: [256, 0], size: [256, -1] });
    const run = (): Float32Array[] =>
      tf.tidy(() =>
        cases.flatMap(({ shape, begin, size }) => {
          const x = tf.tensor(randomValues(rng(shape.length * 7 + begin[0]!), shape), shape);
          const y = tf.slice(x, begin, size);
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.slice(v, begin, size), 3)))(x);
          return [y.dataSync() as Float32Array, g.dataSync() as Float32Array];
        }),
      );
    const native = await onBackend('wasm', true, () => {
      assert.notEqual(tf.getKernel('Slice', 'wasm'), undefined);
      return run();
    });
    const own = await onBackend('wasm', false, run);
    native.forEach((v, i) =>
      assert.deepEqual(v, own[i], `case ${Math.floor(i / 2)} ${JSON.stringify(cases[Math.floor(i / 2)])}`),
    );
    const ints = await onBackend('wasm', true, () =>
      tf.tidy(() => tf.slice(tf.tensor1d([1, 2, 3, 4], 'int32'), [1], [2]).dataSync()),
    );
    assert.deepEqual([...ints], [2, 3], 'int32 slices still work (backend kernel)');
  });
});
