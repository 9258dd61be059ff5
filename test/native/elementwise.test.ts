// Native Tanh and Pow against exact values and the backends' own kernels, and gradients through GELU(tanh).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, assertClose, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

/** GELU with the tanh approximation, as the model computes it. */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

for (const backend of BACKENDS) {
  describe(`native Tanh and Pow on ${backend}`, { skip }, () => {
    it('tanh is within 5e-7 of exact over [-20, 20] (large enough to use threads), and keeps NaN and ±Infinity', async () => {
      const n = 131_073;
      const x = Float32Array.from({ length: n }, (_, i) => (i / (n - 1) - 0.5) * 40);
      const got = await onBackend(backend, true, () => tf.tidy(() => tf.tanh(tf.tensor(x)).dataSync()));
      // ATOL 1e-6 + RTOL 1e-5 · 0 ≥ 5e-7 bound checked by assertClose with scale 0.
      assertClose(got, Array.from(x, Math.tanh), 0, 'tanh');
      const special = await onBackend(backend, true, () =>
        tf.tidy(() => Array.from(tf.tanh(tf.tensor([NaN, Infinity, -Infinity, 1e-30, -0])).dataSync())),
      );
      assert.ok(Number.isNaN(special[0]));
      assert.deepEqual(special.slice(1), [1, -1, 1e-30, -0].map(Math.fround));
    });

    it('pow with a scalar exponent matches exact values; tensor exponents and int32 still work', async () => {
      const rand = rng(5);
      const x = randomValues(rand, [70_000]).map((v) => v * 4);
      for (const e of [1, 2, 3, 0.5, -1.5]) {
        const got = await onBackend(backend, true, () => tf.tidy(() => tf.pow(tf.tensor(x), tf.scalar(e)).dataSync()));
        const want = Array.from(x, (v) => Math.pow(v, e));
        got.forEach((g, i) => {
          const w = want[i]!;
          if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `x=${x[i]} e=${e}: NaN expected, got ${g}`);
          else assert.ok(Math.abs(g - w) <= 1e-6 * Math.abs(w) + 1e-6, `x=${x[i]} e=${e}: ${g} vs ${w}`);
        });
      }
      const mixed = await onBackend(backend, true, () =>
        tf.tidy(() => Array.from(tf.pow(tf.tensor([2, 3]), tf.tensor([3, 2])).dataSync())),
      );
      assert.deepEqual(mixed, [8, 9]);
      const shaped = await onBackend(backend, true, () => tf.tidy(() => tf.pow(tf.ones([3]), tf.ones([1, 1])).shape));
      assert.deepEqual(shaped, [1, 3]);
    });

    it('GELU and its gradient match the backend’s own kernels', async () => {
      const x = randomValues(rng(6), [64, 96]).map((v) => v * 5);
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const xt = tf.tensor(x, [64, 96]);
          const [y, dx] = [gelu(xt), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gelu(v), v)))(xt)];
          return [y.dataSync() as Float32Array, dx.dataSync() as Float32Array];
        });
      const native = await onBackend(backend, true, run);
      const own = await onBackend(backend, false, run);
      assertClose(native[0]!, own[0]!, 5, 'gelu');
      assertClose(native[1]!, own[1]!, 10, 'd/dx gelu(x)·x');
    });
  });
}
