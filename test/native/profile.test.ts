// Per-kernel profile of a small computation: kernel names, call counts and shares that add up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { profileKernels } from '../../native/index.js';

describe('profileKernels', () => {
  it('sums time and calls by kernel name, slowest first, and leaks nothing', async () => {
    await tf.setBackend('cpu');
    const a = tf.ones([64, 64]);
    const before = tf.memory().numTensors;
    const prof = await profileKernels(() => tf.tidy(() => tf.add(tf.matMul(tf.matMul(a, a), a), 1)), 1);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(prof.kernels.length, 2, 'top 1 kept, the rest folded into "other"');
    const names = prof.kernels.map((k) => k.kernel);
    assert.ok(names[1]!.startsWith('other ('), names.join());
    const calls = prof.kernels.reduce((s, k) => s + k.calls, 0);
    assert.ok(calls >= 3, `at least two matmuls and an add, got ${calls} calls`);
    const full = await profileKernels(() => tf.tidy(() => tf.add(tf.matMul(tf.matMul(a, a), a), 1)));
    const matmul = full.kernels.find((k) => k.kernel === 'BatchMatMul');
    assert.equal(matmul?.calls, 2);
    assert.ok(
      full.kernels.every((k, i, all) => i === 0 || all[i - 1]!.ms >= k.ms),
      'sorted slowest first',
    );
    const shares = full.kernels.reduce((s, k) => s + k.share, 0);
    assert.ok(Math.abs(shares - 1) < 0.02, `shares sum to ${shares}`);
    a.dispose();
  });
});
