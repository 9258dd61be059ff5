// The fused model kernels (native/fused-names.ts) against the composite ops they replace, over random shapes: values
// and gradients (tf.grads under a random cotangent) on both backends, the composite running on the backend's own
// kernels. Tolerances: |fused − composite| ≤ 2e-5·max|composite| + 1e-6 for values and 1e-4·max|composite| + 1e-6
// for gradients (float32 sums in another order; GELU's tanh is the native Tanh kernel's approximation, ≤ 3e-7).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, NativeShapeError } from '../../native/index.js';
import { geluTanh, layerNorm, linear, weightedCrossEntropy } from '../../model/ops.js';
import { MASKED, attend } from '../../model/transformer.js';
import { BACKENDS, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();
const VALUE_RTOL = 2e-5;
const GRAD_RTOL = 1e-4;
const ATOL = 1e-6;

/** An input: values, shape, and whether gradients are taken with respect to it. */
interface Input {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype?: 'float32' | 'int32';
  constant?: boolean;
}

/** Value of f and its gradients with respect to the non-constant inputs, as arrays; asserts nothing leaks. */
function evaluate(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], seed: number): Float32Array[] {
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype ?? 'float32'));
    const y = f(...xs);
    const w = tf.tensor(randomValues(rng(seed), y.shape), y.shape);
    const free = inputs.map((i, k) => (i.constant ? -1 : k)).filter((k) => k >= 0);
    const grads = tf.grads((...args: tf.Tensor[]) => {
      const all = xs.map((x, k) => (free.includes(k) ? args[free.indexOf(k)]! : x));
      return tf.sum(tf.mul(f(...all), w));
    })(free.map((k) => xs[k]!));
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  return out;
}

/** Runs f fused (native on, kernel `name` present) and composite (native off) and compares. */
async function compare(
  backend: 'cpu' | 'wasm',
  name: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Input[],
  label: string,
): Promise<void> {
  const fused = await onBackend(backend, true, () => {
    assert.ok(tf.getKernel(name, backend), `${name} registered on ${backend}`);
    return evaluate(f, inputs, 99);
  });
  const composite = await onBackend(backend, false, () => evaluate(f, inputs, 99));
  assert.equal(fused.length, composite.length);
  composite.forEach((ref, k) => {
    const got = fused[k]!;
    assert.equal(got.length, ref.length, `${label} output ${k} size`);
    const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const tol = (k === 0 ? VALUE_RTOL : GRAD_RTOL) * scale + ATOL;
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
    assert.ok(
      Number.isFinite(worst) && worst <= tol,
      `${label}: ${k === 0 ? 'value' : `gradient ${k}`} differs by ${worst} (tolerance ${tol})`,
    );
  });
}

const pick = (rand: () => number, options: readonly number[]): number => options[Math.floor(rand() * options.length)]!;
const input = (rand: () => number, shape: number[], scale = 1): Input => ({
  values: randomValues(rand, shape).map((v) => v * scale),
  shape,
});

for (const backend of BACKENDS) {
  describe(`fused kernels on ${backend}`, { skip }, () => {
    it('LayerNorm: value and the gradients of x, γ and β', async () => {
      const rand = rng(backend === 'cpu' ? 11 : 12);
      for (let trial = 0; trial < 6; trial++) {
        const d = pick(rand, [1, 3, 16, 64, 65]);
        const lead = [1 + Math.floor(rand() * 5), 1 + Math.floor(rand() * 7)].slice(0, 1 + (trial % 2));
        const eps = pick(rand, [1e-6, 1e-5]);
        // An offset and a spread per trial: LayerNorm must not care where the rows sit.
        const x = input(rand, [...lead, d], 1 + 10 * rand());
        x.values = (x.values as Float32Array).map((v) => v + 3 * (trial - 2));
        await compare(
          backend,
          FUSED_KERNELS.layerNorm,
          (xi, g, b) => layerNorm(xi!, g!, b!, eps),
          [x, input(rand, [d]), input(rand, [d])],
          `x [${x.shape}]`,
        );
      }
      // Enough rows to split over threads (dγ, dβ summed across them).
      const big = [input(rand, [3000, 64]), input(rand, [64]), input(rand, [64])];
      await compare(backend, FUSED_KERNELS.layerNorm, (xi, g, b) => layerNorm(xi!, g!, b!, 1e-6), big, 'x [3000,64]');
    });

    it('GELU (tanh): value and gradient, including large |x|', async () => {
      const rand = rng(backend === 'cpu' ? 21 : 22);
      for (const shape of [[7], [3, 40], [2, 5, 33], [300, 301]]) {
        await compare(backend, FUSED_KERNELS.geluTanh, (x) => geluTanh(x!), [input(rand, shape, 6)], `x [${shape}]`);
      }
    });

    it('linear: value and the gradients of x, W and b, with and without a bias, over ranks 2–4', async () => {
      const rand = rng(backend === 'cpu' ? 31 : 32);
      for (let trial = 0; trial < 6; trial++) {
        const [k, n] = [pick(rand, [1, 5, 16, 64]), pick(rand, [1, 7, 32, 64])];
        const lead = [1 + Math.floor(rand() * 4), 1 + Math.floor(rand() * 9), 2].slice(0, 1 + (trial % 3));
        const x = input(rand, [...lead, k]);
        const w = input(rand, [k, n]);
        const label = `x [${x.shape}] W [${k},${n}]`;
        await compare(
          backend,
          FUSED_KERNELS.linear,
          (xi, wi, bi) => linear(xi!, wi!, bi!),
          [x, w, input(rand, [n])],
          `${label} + b`,
        );
        await compare(backend, FUSED_KERNELS.linear, (xi, wi) => linear(xi!, wi!), [x, w], label);
      }
    });

    it('attention: value and the gradients of q, k, v, without a bias and with padding and causal masks', async () => {
      const rand = rng(backend === 'cpu' ? 41 : 42);
      for (let trial = 0; trial < 8; trial++) {
        const b = 1 + Math.floor(rand() * 3);
        const heads = pick(rand, [1, 2, 4]);
        const d = heads * pick(rand, [1, 4, 8]);
        const tq = pick(rand, [1, 3, 9]);
        const tk = trial % 4 === 2 ? tq : pick(rand, [1, 4, 9]);
        const kind = ['none', 'padding', 'rows', 'causal'][trial % 4]!;
        let bias: Input | undefined;
        if (kind === 'padding') {
          // Key padding [B,1,1,Tk]; the last batch row masks every key (uniform attention, no NaN).
          const v = Float32Array.from({ length: b * tk }, (_, i) =>
            Math.floor(i / tk) === b - 1 || (i % tk) % 3 === 2 ? MASKED : 0,
          );
          bias = { values: v, shape: [b, 1, 1, tk], constant: true };
        } else if (kind === 'rows') {
          bias = { values: randomValues(rand, [b, 1, tq, tk]), shape: [b, 1, tq, tk], constant: true };
        } else if (kind === 'causal') {
          bias = {
            values: Float32Array.from({ length: tq * tk }, (_, i) => (i % tk > Math.floor(i / tk) ? MASKED : 0)),
            shape: [1, 1, tq, tk],
            constant: true,
          };
        }
        const q = input(rand, [b, tq, d], 2);
        const kv = [input(rand, [b, tk, d], 2), input(rand, [b, tk, d])];
        const inputs = bias ? [q, ...kv, bias] : [q, ...kv];
        await compare(
          backend,
          FUSED_KERNELS.attention,
          (qi, ki, vi, bi) => attend(qi!, ki!, vi!, heads, bi),
          inputs,
          `${kind} B=${b} H=${heads} D=${d} Tq=${tq} Tk=${tk}`,
        );
      }
    });

    it('weighted cross-entropy: value and the gradient of the logits, out-of-range targets included', async () => {
      const rand = rng(backend === 'cpu' ? 51 : 52);
      for (const [rows, classes] of [
        [1, 2],
        [7, 33],
        [20, 300],
      ] as const) {
        const targets = Int32Array.from({ length: rows }, (_, i) =>
          i === rows - 1 && rows > 1 ? classes + 4 : Math.floor(rand() * classes),
        );
        const weights = Float32Array.from({ length: rows }, (_, i) => (i % 4 === 1 ? 0 : rand()));
        await compare(
          backend,
          FUSED_KERNELS.crossEntropy,
          (l, t, w) => weightedCrossEntropy(l!, t!, w!),
          [
            input(rand, [rows, classes], 8),
            { values: targets, shape: [rows], dtype: 'int32', constant: true },
            { values: weights, shape: [rows], constant: true },
          ],
          `[${rows}, ${classes}]`,
        );
      }
    });

    it('rejects shapes they cannot combine with an error naming them', async () => {
      await onBackend(backend, true, () => {
        const run =
          (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
          () =>
            tf.tidy(() => tf.engine().runKernel(name, inputs, attrs));
        assert.throws(
          run(FUSED_KERNELS.linear, { x: tf.ones([2, 3]), w: tf.ones([4, 5]) }),
          (e: unknown) =>
            e instanceof NativeShapeError &&
            /SigforgeLinear on .*: W must be \[k, n\] for x \[\.\.\., k\]; got x \[2,3\], w \[4,5\]/.test(
              (e as Error).message,
            ),
        );
        assert.throws(
          run(FUSED_KERNELS.layerNorm, { x: tf.ones([2, 3]), gamma: tf.ones([4]), beta: tf.ones([3]) }, { eps: 1e-6 }),
          /SigforgeLayerNorm on .*: gamma and beta must be \[d\] for x \[\.\.\., d\]; got x \[2,3\], gamma \[4\], beta \[3\]/,
        );
        assert.throws(
          run(
            FUSED_KERNELS.attention,
            { q: tf.ones([1, 2, 6]), k: tf.ones([1, 3, 6]), v: tf.ones([1, 3, 6]) },
            { heads: 4, scale: 1 },
          ),
          /D a multiple of heads=4; got q \[1,2,6\]/,
        );
        assert.throws(
          run(
            FUSED_KERNELS.attention,
            { q: tf.ones([2, 2, 4]), k: tf.ones([2, 3, 4]), v: tf.ones([2, 3, 4]), bias: tf.ones([2, 1, 2, 2]) },
            { heads: 2, scale: 1 },
          ),
          /bias must broadcast to \[B, H, Tq, Tk\] = \[2,2,2,3\]; got bias \[2,1,2,2\]/,
        );
        assert.throws(
          run(FUSED_KERNELS.crossEntropy, { logits: tf.ones([2, 3]), targets: tf.ones([2]), weights: tf.ones([2]) }),
          /targets must be a int32 tensor, got float32\[2\]/,
        );
      });
    });
  });
}
