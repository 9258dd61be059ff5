// Native Sum over contiguous axes against a float64 reference; non-contiguous axes and int32 use the backend's own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, assertClose, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

/** Float64 sum of x (row-major `shape`) over `axes`, keeping reduced axes as size 1; also Σ|x| for the bound. */
function referenceSum(
  x: Float32Array,
  shape: number[],
  axes: number[],
): { values: Float64Array; magnitude: Float64Array } {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = outShape.reduce((p, d) => p * d, 1);
  const values = new Float64Array(outSize);
  const magnitude = new Float64Array(outSize);
  const coord = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < x.length; flat++) {
    let o = 0;
    for (let i = 0; i < shape.length; i++) o = o * outShape[i]! + (axes.includes(i) ? 0 : coord[i]!);
    values[o]! += x[flat]!;
    magnitude[o]! += Math.abs(x[flat]!);
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++coord[i]! < shape[i]!) break;
      coord[i] = 0;
    }
  }
  return { values, magnitude };
}

const CASES: Array<{ shape: number[]; axis: number | number[] | null }> = [
  { shape: [512, 192], axis: 0 }, // bias gradient
  { shape: [32, 16, 192], axis: [0, 1] },
  { shape: [32, 16, 192], axis: -1 }, // innermost
  { shape: [6, 7, 8, 9], axis: [1, 2] }, // middle block
  { shape: [5, 1003], axis: 1 }, // not a multiple of the 8 accumulators
  { shape: [4, 5, 6], axis: null }, // everything
  { shape: [4, 5, 6], axis: [0, 2] }, // not contiguous: backend's own kernel
];

for (const backend of BACKENDS) {
  describe(`native Sum on ${backend}`, { skip }, () => {
    it('matches a float64 reference within 1e-5·Σ|x| + 1e-6, with and without keepDims', async () => {
      const rand = rng(backend === 'cpu' ? 41 : 42);
      for (const { shape, axis } of CASES) {
        const x = randomValues(rand, shape);
        const axes = axis === null ? shape.map((_, i) => i) : [axis].flat().map((a) => (a < 0 ? a + shape.length : a));
        const ref = referenceSum(x, shape, axes);
        for (const keepDims of [false, true]) {
          const got = await onBackend(backend, true, () =>
            tf.tidy(() => {
              const s = tf.sum(tf.tensor(x, shape), axis ?? undefined, keepDims);
              return { shape: s.shape, values: s.dataSync() };
            }),
          );
          const wantShape = keepDims
            ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
            : shape.filter((_, i) => !axes.includes(i));
          assert.deepEqual(got.shape, wantShape, `shape of sum ${JSON.stringify({ shape, axis, keepDims })}`);
          assertClose(got.values, ref.values, ref.magnitude, `sum ${JSON.stringify({ shape, axis, keepDims })}`);
        }
      }
    });

    it('leaves int32 sums to the backend', async () => {
      const got = await onBackend(backend, true, () =>
        tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).arraySync()),
      );
      assert.deepEqual(got, [4, 6]);
    });
  });
}
