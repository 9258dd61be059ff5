// The webgpu backend on Dawn (Mesa's llvmpipe through OpenGL ES in CI): it starts when asked, names its adapter, lets
// Node exit, and AddN with many inputs (more storage buffers than a shader may bind) still sums correctly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { releaseBackend, selectBackend } from '../../model/backend.js';
import { gpuTestGate } from './gate.js';

const gate = await gpuTestGate();

describe('webgpu backend', { skip: gate.skip }, () => {
  before(async () => {
    await selectBackend('webgpu');
  });
  after(async () => releaseBackend());

  it('is active and reports its adapter', async () => {
    const logs: string[] = [];
    const choice = await selectBackend('webgpu', (m) => logs.push(m));
    assert.equal(choice.name, 'webgpu');
    assert.equal(tf.getBackend(), 'webgpu');
    assert.ok(choice.adapter, 'adapter report');
    assert.ok(choice.adapter.storageBuffersPerStage >= 8);
    // The device was created with the adapter's limit (tfjs alone would leave it at the default 8).
    const device = (tf.backend() as unknown as { device: { limits: Record<string, number> } }).device;
    assert.equal(device.limits.maxStorageBuffersPerShaderStage, choice.adapter.storageBuffersPerStage);
    assert.match(logs[0]!, /^tfjs backend: webgpu \(requested; adapter (vulkan|gles): .+\)$/);
  });

  it('sums AddN of 2 to 40 inputs as cpu does', async () => {
    for (const n of [2, 7, 8, 9, 16, 40]) {
      const parts = Array.from({ length: n }, (_, i) =>
        Float32Array.from({ length: 33 }, (_, j) => ((i * 7 + j * 3) % 11) - 5 + i / 8),
      );
      const expected = new Float32Array(33);
      for (const p of parts) p.forEach((v, j) => (expected[j]! += v));
      const inputs = parts.map((p) => tf.tensor1d(p));
      const sum = tf.addN(inputs);
      const got = await sum.data();
      tf.dispose([...inputs, sum]);
      for (let j = 0; j < 33; j++)
        assert.ok(Math.abs(got[j]! - expected[j]!) <= 1e-5, `n=${n} [${j}]: ${got[j]} vs ${expected[j]}`);
    }
  });

  it('sums AddN of many scalars (the gradient-norm shape) without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const scalars = Array.from({ length: 50 }, (_, i) => tf.scalar(i + 1));
    const sum = tf.addN(scalars);
    assert.equal((await sum.data())[0], 1275);
    tf.dispose([...scalars, sum]);
    assert.equal(tf.memory().numTensors, before);
  });
});
