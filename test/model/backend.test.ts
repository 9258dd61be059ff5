// Backend selection: explicit choice, environment override, automatic fallback and a clear error for unknown names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ENV, selectBackend } from '../../model/backend.js';

describe('selectBackend', () => {
  it('activates the requested backend and says why', async () => {
    const logs: string[] = [];
    const cpu = await selectBackend('cpu', (m) => logs.push(m));
    assert.deepEqual(cpu, { name: 'cpu', reason: 'requested' });
    assert.equal(tf.getBackend(), 'cpu');
    assert.deepEqual(logs, ['tfjs backend: cpu (requested)']);
    assert.equal((await selectBackend('wasm')).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('auto picks tensorflow when installed, else wasm, and the environment overrides', async () => {
    const auto = await selectBackend('auto');
    assert.ok(['tensorflow', 'wasm'].includes(auto.name));
    if (auto.name === 'wasm') assert.match(auto.reason, /tfjs-node\(-gpu\) not installed/);
    process.env[BACKEND_ENV] = 'cpu';
    try {
      assert.equal((await selectBackend()).name, 'cpu');
    } finally {
      delete process.env[BACKEND_ENV];
    }
  });

  it('rejects unknown names listing the valid ones', async () => {
    await assert.rejects(selectBackend('webgpu'), /unknown backend "webgpu"; valid: auto, tensorflow, wasm, cpu/);
  });
});
