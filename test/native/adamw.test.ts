// The fused AdamW kernel equals the same update in plain tf ops, step after step, on both backends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ADAMW_KERNEL, FUSED_KERNELS, adamwUpdate, adamwUpdateGroup, type AdamWHyper } from '../../native/index.js';
import { sumOfSquares } from '../../model/optimizer.js';
import { BACKENDS, assertClose, nativeSkip, onBackend, randomValues, rng } from './reference.js';

const skip = nativeSkip();

/** Three AdamW steps from fixed θ, gradients per step; returns θ, m, v after them. */
function threeSteps(theta0: Float32Array, grads: Float32Array[], h: AdamWHyper, shape: number[]): Float32Array[] {
  return tf.tidy(() => {
    let theta = tf.tensor(theta0, shape);
    let m = tf.zeros(shape);
    let v = tf.zeros(shape);
    for (const g of grads) ({ theta, m, v } = adamwUpdate(theta, m, v, tf.tensor(g, shape), h));
    return [theta, m, v].map((t) => t.dataSync() as Float32Array);
  });
}

for (const backend of BACKENDS) {
  describe(`fused AdamW on ${backend}`, { skip }, () => {
    it('matches plain tf ops within 1e-5 relative over three steps, with clipping and decay, leaking nothing', async () => {
      const rand = rng(backend === 'cpu' ? 51 : 52);
      const shape = [37, 19];
      const theta0 = randomValues(rand, shape);
      const grads = [0, 1, 2].map(() => randomValues(rand, shape));
      const hypers: AdamWHyper[] = [
        { beta1: 0.9, beta2: 0.999, clip: 1, shrink: 1, stepSize: 1e-3, epsHat: 1e-8 },
        { beta1: 0.9, beta2: 0.95, clip: 0.25, shrink: 1 - 1e-4, stepSize: 3e-3, epsHat: 1e-6 },
      ];
      for (const h of hypers) {
        let before = 0;
        const native = await onBackend(backend, true, () => {
          assert.ok(tf.getKernel(ADAMW_KERNEL, backend), 'fused kernel registered');
          before = tf.memory().numTensors;
          return threeSteps(theta0, grads, h, shape);
        });
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
        const plain = await onBackend(backend, false, () => {
          assert.equal(tf.getKernel(ADAMW_KERNEL, backend), undefined);
          return threeSteps(theta0, grads, h, shape);
        });
        ['theta', 'm', 'v'].forEach((name, i) => {
          const scale = Array.from(plain[i]!, (x) => 0.1 * Math.abs(x)); // RTOL·0.1|x| = 1e-6 relative
          assertClose(native[i]!, plain[i]!, scale, `${JSON.stringify(h)} ${name}`);
        });
        assert.ok(
          plain[0]!.some((x, j) => x !== theta0[j]),
          'θ moved',
        );
      }
    });

    it('updates a group of parameters in one kernel exactly as per parameter, each with its own decay', async () => {
      const rand = rng(backend === 'cpu' ? 53 : 54);
      const shapes = [[5, 3], [7], [1, 1, 4], [16, 9]];
      const values = shapes.map((s) => [0, 1, 2, 3].map(() => randomValues(rand, s)));
      const shrinks = [1, 1 - 1e-3, 1, 1 - 2e-4];
      const h = { beta1: 0.9, beta2: 0.95, clip: 0.5, stepSize: 2e-3, epsHat: 1e-7 };
      const run = (group: boolean): Float32Array[] =>
        tf.tidy(() => {
          const items = shapes.map((s, i) => {
            const [theta, m, v, g] = values[i]!.map((x) => tf.tensor(x, s));
            return { theta: theta!, m: tf.abs(m!), v: tf.square(v!), g: g!, shrink: shrinks[i]! };
          });
          const out = group
            ? adamwUpdateGroup(items, h)
            : items.map((it) => adamwUpdate(it.theta, it.m, it.v, it.g, { ...h, shrink: it.shrink }));
          return out.flatMap((o) => [o.theta, o.m, o.v].map((t) => t.dataSync() as Float32Array));
        });
      let before = 0;
      const grouped = await onBackend(backend, true, () => {
        assert.ok(tf.getKernel(FUSED_KERNELS.adamwGroup, backend));
        before = tf.memory().numTensors;
        return run(true);
      });
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
      const single = await onBackend(backend, true, () => run(false));
      grouped.forEach((g, i) => assert.deepEqual(g, single[i], `output ${i} bit-equal`));
    });

    it('sums squares over many tensors in one kernel like square+sum per tensor (1e-6 relative)', async () => {
      const rand = rng(backend === 'cpu' ? 55 : 56);
      const shapes = [[3, 4], [100], [2, 3, 5], [1]];
      const values = shapes.map((s) => randomValues(rand, s));
      const run = (): number => tf.tidy(() => sumOfSquares(shapes.map((s, i) => tf.tensor(values[i]!, s))));
      const fused = await onBackend(backend, true, run);
      const plain = await onBackend(backend, false, run);
      const exact = values.reduce((a, v) => a + v.reduce((b, x) => b + x * x, 0), 0);
      assert.ok(Math.abs(fused - exact) <= 1e-6 * exact, `${fused} vs ${exact}`);
      assert.ok(Math.abs(plain - exact) <= 1e-5 * exact, `${plain} vs ${exact}`);
    });

    it('rejects mismatched shapes with an error naming them', async () => {
      await onBackend(backend, true, () => {
        const h = { beta1: 0.9, beta2: 0.999, clip: 1, shrink: 1, stepSize: 1e-3, epsHat: 1e-8 };
        assert.throws(
          () => tf.tidy(() => adamwUpdate(tf.ones([2, 3]), tf.ones([2, 3]), tf.ones([3, 2]), tf.ones([2, 3]), h)),
          /SigforgeAdamW on .*: theta, m, v and g must be float32 of one shape, got float32\[2,3\], float32\[2,3\], float32\[3,2\]/,
        );
      });
    });
  });
}
