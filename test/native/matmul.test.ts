// Native BatchMatMul and _FusedMatMul against a float64 reference and against the backends' own JS/wasm kernels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, assertClose, nativeSkip, onBackend, randomValues, referenceMatMul, rng } from './reference.js';

const skip = nativeSkip();

interface Case {
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** Random shapes: batch dims of rank 0–2 with broadcasting 1s (or absent on one side), all transpose combinations. */
function randomCases(seed: number, count: number): Case[] {
  const rand = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const m = int(1, 33);
    const n = int(1, 33);
    const k = int(1, 40);
    const transposeA = (c & 1) === 1;
    const transposeB = (c & 2) === 2;
    const rank = int(0, 2);
    const dims = Array.from({ length: rank }, () => int(2, 3));
    const aDims = dims.map((d) => (rand() < 0.3 ? 1 : d));
    let bDims = dims.map((d) => (rand() < 0.3 ? 1 : d));
    if (rank > 0 && rand() < 0.25) bDims = bDims.slice(1); // b has fewer batch dims
    cases.push({
      aShape: [...aDims, ...(transposeA ? [k, m] : [m, k])],
      bShape: [...bDims, ...(transposeB ? [n, k] : [k, n])],
      transposeA,
      transposeB,
    });
  }
  // Shapes that matter in practice: a 2-D weight against a 3-D batch, attention-style 4-D, vectors.
  cases.push({ aShape: [4, 17, 24], bShape: [24, 40], transposeA: false, transposeB: false });
  cases.push({ aShape: [2, 3, 17, 8], bShape: [2, 3, 17, 8], transposeA: false, transposeB: true });
  cases.push({ aShape: [2, 3, 17, 17], bShape: [2, 3, 17, 8], transposeA: true, transposeB: false });
  cases.push({ aShape: [1, 64], bShape: [64, 1], transposeA: false, transposeB: false });
  cases.push({ aShape: [2, 1, 5, 6], bShape: [1, 3, 6, 7], transposeA: false, transposeB: false });
  return cases;
}

/** What tfjs computes for each fused activation (prelu's alpha per column, leakyrelu's alpha 0.1). */
const ACTIVATIONS: Record<string, (x: number, alpha: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(x, 0),
  relu6: (x) => Math.min(Math.max(x, 0), 6),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  leakyrelu: (x) => (x < 0 ? 0.1 * x : x),
  elu: (x) => (x >= 0 ? x : Math.expm1(x)),
  prelu: (x, alpha) => (x < 0 ? alpha * x : x),
};

function runMatMul(c: Case, a: Float32Array, b: Float32Array): Float32Array {
  return tf.tidy(() => {
    const out = tf.matMul(tf.tensor(a, c.aShape), tf.tensor(b, c.bShape), c.transposeA, c.transposeB);
    return out.dataSync() as Float32Array;
  });
}

/** tfjs's own kernels flatten batch dims and index them modulo their size: right unless both sides broadcast. */
function jsKernelsHandle(c: Case): boolean {
  const aDims = c.aShape.slice(0, -2);
  const bDims = c.bShape.slice(0, -2);
  const size = (d: number[]): number => d.reduce((p, x) => p * x, 1);
  return size(aDims) === 1 || size(bDims) === 1 || JSON.stringify(aDims) === JSON.stringify(bDims);
}

for (const backend of BACKENDS) {
  describe(`native BatchMatMul on ${backend}`, { skip }, () => {
    const cases = randomCases(backend === 'cpu' ? 7 : 11, 40);
    it(`matches a float64 reference within 1e-5·Σ|a·b| + 1e-6 on ${cases.length} shapes`, async () => {
      const rand = rng(1);
      for (const c of cases) {
        const a = randomValues(rand, c.aShape);
        const b = randomValues(rand, c.bShape);
        const ref = referenceMatMul(a, c.aShape, b, c.bShape, c.transposeA, c.transposeB);
        let before = 0;
        const got = await onBackend(backend, true, () => {
          before = tf.memory().numTensors;
          return runMatMul(c, a, b);
        });
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
        assertClose(got, ref.values, ref.magnitude, `${JSON.stringify(c)}`);
      }
    });

    it('matches the backend’s own kernel on the same inputs', async () => {
      const rand = rng(2);
      let compared = 0;
      for (const c of cases.filter(jsKernelsHandle)) {
        const a = randomValues(rand, c.aShape);
        const b = randomValues(rand, c.bShape);
        const ref = referenceMatMul(a, c.aShape, b, c.bShape, c.transposeA, c.transposeB);
        const native = await onBackend(backend, true, () => runMatMul(c, a, b));
        const own = await onBackend(backend, false, () => runMatMul(c, a, b));
        const twice = Array.from(ref.magnitude, (m) => 2 * m);
        assertClose(native, own, twice, `native vs ${backend} ${JSON.stringify(c)}`);
        compared++;
      }
      assert.ok(compared > 20, `compared ${compared} cases`);
    });

    it('handles empty dimensions: m = 0 gives an empty result, k = 0 gives zeros (then bias and activation)', async () => {
      const got = await onBackend(backend, true, () =>
        tf.tidy(() => ({
          empty: tf.matMul(tf.zeros([0, 3]), tf.zeros([3, 4])).shape,
          zeros: Array.from(tf.matMul(tf.ones([2, 0]), tf.ones([0, 3])).dataSync()),
          fused: Array.from(
            tf.fused
              .matMul({ a: tf.ones([2, 0]), b: tf.ones([0, 3]), bias: tf.tensor([1, -1, 2]), activation: 'relu' })
              .dataSync(),
          ),
        })),
      );
      assert.deepEqual(got.empty, [0, 4]);
      assert.deepEqual(got.zeros, [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(got.fused, [1, 0, 2, 1, 0, 2]);
    });

    it('computes _FusedMatMul with bias and every activation; prelu and column biases fall back correctly', async () => {
      const rand = rng(3);
      const activations = ['linear', 'relu', 'relu6', 'sigmoid', 'leakyrelu', 'elu', 'prelu'] as const;
      const biasShapes = [null, [24], [1, 24], [9, 24], [9, 1]];
      for (const activation of activations) {
        for (const biasShape of biasShapes) {
          for (const [transposeA, transposeB] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            const aShape = [3, ...(transposeA ? [16, 9] : [9, 16])];
            const bShape = transposeB ? [24, 16] : [16, 24];
            const a = randomValues(rand, aShape);
            const b = randomValues(rand, bShape);
            const bias = biasShape ? randomValues(rand, biasShape) : null;
            const alpha = randomValues(rand, [24]);
            const run = (): Float32Array =>
              tf.tidy(() => {
                const out = tf.fused.matMul({
                  a: tf.tensor(a, aShape),
                  b: tf.tensor(b, bShape),
                  transposeA,
                  transposeB,
                  bias: bias && biasShape ? tf.tensor(bias, biasShape) : undefined,
                  activation,
                  preluActivationWeights: activation === 'prelu' ? tf.tensor(alpha, [24]) : undefined,
                  leakyreluAlpha: 0.1,
                });
                return out.dataSync() as Float32Array;
              });
            if (backend === 'wasm' && biasShape?.[1] === 1) {
              // Not tileable, so the wasm backend's own kernel runs, and it accepts only rank-1 biases.
              await onBackend(backend, true, () => assert.throws(run, /only supports rank-1 bias/));
              continue;
            }
            const got = await onBackend(backend, true, run);
            const ref = referenceMatMul(a, aShape, b, bShape, transposeA, transposeB);
            const want = ref.values.map((v, i) => {
              const row = Math.floor(i / 24) % 9;
              const col = i % 24;
              const x =
                v +
                (bias
                  ? bias[
                      biasShape?.[1] === 1 ? row : biasShape?.length === 2 && biasShape[0] === 9 ? row * 24 + col : col
                    ]!
                  : 0);
              return ACTIVATIONS[activation]!(x, alpha[col]!);
            });
            // Activations are at most 1-Lipschitz, so the matmul error bound carries over to the fused output.
            assertClose(
              got,
              want,
              ref.magnitude,
              `fused ${activation} bias=${JSON.stringify(biasShape)} tA=${transposeA} tB=${transposeB}`,
            );
          }
        }
      }
    });
  });
}

describe('native kernels fall back where they do not apply', { skip }, () => {
  it('int32 matmul on cpu still runs (through the original kernel)', async () => {
    const got = await onBackend('cpu', true, () =>
      tf.tidy(() =>
        tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32')).arraySync(),
      ),
    );
    assert.deepEqual(got, [
      [19, 22],
      [43, 50],
    ]);
  });

  it('a shape mismatch raises tfjs’s usual error', async () => {
    await onBackend('cpu', true, () => {
      assert.throws(() => tf.matMul(tf.ones([2, 3]), tf.ones([4, 5])), /inner shapes \(3\) and \(4\)/);
    });
  });
});
