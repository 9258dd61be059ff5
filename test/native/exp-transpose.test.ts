// Native Exp and Transpose against exact values and the backends' own kernels, gradients through both, and the wasm
// Identity/Cast kernels that share buffers instead of copying.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, assertClose, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

/** Reference transpose in float64-free index arithmetic. */
function referenceTranspose(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const out = new Float32Array(x.length);
  const outShape = perm.map((p) => shape[p]!);
  const stride = shape.map((_, d) => shape.slice(d + 1).reduce((p, s) => p * s, 1));
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let rest = o;
    for (let j = outShape.length - 1; j >= 0; j--) {
      idx[perm[j]!] = rest % outShape[j]!;
      rest = Math.floor(rest / outShape[j]!);
    }
    out[o] = x[idx.reduce((s, v, d) => s + v * stride[d]!, 0)]!;
  }
  return out;
}

for (const backend of BACKENDS) {
  describe(`native Exp and Transpose on ${backend}`, { skip }, () => {
    it('exp is within 2 ulp (2.5e-7 relative) of exact over [-104, 89], threaded, with IEEE special values', async () => {
      const n = 200_003;
      const x = Float32Array.from({ length: n }, (_, i) => -104 + (193 * i) / (n - 1));
      const got = await onBackend(backend, true, () => tf.tidy(() => tf.exp(tf.tensor(x)).dataSync()));
      x.forEach((v, i) => {
        const want = Math.fround(Math.exp(v));
        const g = got[i]!;
        // Denormal results (x < -87.3) have less precision: compare them absolutely at the smallest normal.
        const ok = want === Infinity ? g === Infinity : Math.abs(g - want) <= 2.5e-7 * want + 1.2e-38 * 2 ** -3;
        if (!ok) assert.fail(`exp(${v}) = ${g}, expected ${want}`);
      });
      const special = await onBackend(backend, true, () =>
        tf.tidy(() => Array.from(tf.exp(tf.tensor([NaN, Infinity, -Infinity, 0, -0, 89, -200])).dataSync())),
      );
      assert.ok(Number.isNaN(special[0]));
      assert.deepEqual(special.slice(1), [Infinity, 0, 1, 1, Infinity, 0]);
    });

    it('transpose matches a reference for random shapes and permutations (incl. size-1 and empty axes)', async () => {
      const rand = rng(11);
      const cases: [number[], number[]][] = [
        [
          [512, 64],
          [1, 0],
        ],
        [
          [32, 4, 16, 16],
          [0, 2, 1, 3],
        ],
        [
          [32, 16, 4, 16],
          [0, 2, 3, 1],
        ],
        [
          [3, 1, 5, 2],
          [3, 2, 1, 0],
        ],
        [
          [2, 3, 4, 5, 6],
          [4, 0, 3, 1, 2],
        ],
        [[7], [0]],
        [
          [1, 1],
          [1, 0],
        ],
        [
          [4, 0, 3],
          [2, 0, 1],
        ],
        [
          [300, 300],
          [1, 0],
        ], // 90,000 elements: split over threads
      ];
      for (const [shape, perm] of cases) {
        const x = randomValues(rand, shape);
        const got = await onBackend(backend, true, () => tf.tidy(() => tf.transpose(tf.tensor(x, shape), perm)));
        assert.deepEqual(
          got.shape,
          perm.map((p) => shape[p]),
        );
        assert.deepEqual(got.dataSync(), referenceTranspose(x, shape, perm), `${shape} by ${perm}`);
        got.dispose();
      }
      const ints = await onBackend(backend, true, () =>
        tf.tidy(() => Array.from(tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32')).dataSync())),
      );
      assert.deepEqual(ints, [1, 4, 2, 5, 3, 6]);
    });

    it('softmax-style gradients through exp and transpose match the backend’s own kernels, with no tensor leak', async () => {
      const x = randomValues(rng(12), [24, 8, 8, 8]).map((v) => v * 3);
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const xt = tf.tensor(x, [24, 8, 8, 8]);
          const terms = (v: tf.Tensor): tf.Tensor => {
            const e = tf.exp(tf.transpose(v, [0, 2, 1, 3]));
            return tf.mul(tf.div(e, tf.sum(e, -1, true)), tf.transpose(v, [0, 2, 3, 1]));
          };
          const f = (v: tf.Tensor): tf.Tensor => tf.sum(terms(v));
          const scale = tf.sum(tf.abs(terms(xt)));
          return [f(xt), tf.grad(f)(xt), scale].map((t) => t.dataSync() as Float32Array);
        });
      const before = tf.memory().numTensors;
      const native = await onBackend(backend, true, run);
      const own = await onBackend(backend, false, run);
      assert.equal(tf.memory().numTensors, before);
      // The value sums 12,288 terms: its error bound scales with Σ|term| (summation order differs between kernels).
      assertClose(native[0]!, own[0]!, own[2]![0]!, 'value');
      assertClose(native[1]!, own[1]!, 10, 'gradient');
    });
  });
}

describe('wasm Identity and same-dtype Cast share the input buffer', { skip }, () => {
  it('keeps values after the source is disposed, converts real casts, and frees memory with the last reference', async () => {
    await onBackend('wasm', true, () => {
      const bytes0 = tf.memory().numBytes;
      const tensors0 = tf.memory().numTensors;
      const a = tf.tensor([1.5, -2, 3]);
      const b = tf.clone(a);
      const c = tf.cast(a, 'float32');
      a.dispose();
      assert.deepEqual(Array.from(b.dataSync()), [1.5, -2, 3]);
      assert.deepEqual(Array.from(c.dataSync()), [1.5, -2, 3]);
      const i = tf.cast(b, 'int32');
      assert.equal(i.dtype, 'int32');
      assert.deepEqual(Array.from(i.dataSync()), [1, -2, 3]);
      // A variable assigned from a shared tensor keeps its own value when that tensor goes.
      const seed = tf.clone(c);
      const v = tf.variable(seed);
      seed.dispose();
      const nine = tf.tensor([9, 9, 9]);
      v.assign(nine);
      assert.deepEqual(Array.from(c.dataSync()), [1.5, -2, 3]);
      tf.dispose([b, c, i, v, nine]);
      assert.equal(tf.memory().numTensors, tensors0);
      assert.ok(tf.memory().numBytes <= bytes0 + 12, 'shared buffers are released');
    });
  });
});
