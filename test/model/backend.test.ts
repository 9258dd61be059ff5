// Backend selection: explicit choice, environment override, automatic fallback and a clear error for unknown names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ENV, NATIVE_THREADS_ENV, selectBackend } from '../../model/backend.js';

describe('selectBackend', () => {
  it('activates the requested backend and says why', async () => {
    const logs: string[] = [];
    const cpu = await selectBackend('cpu', (m) => logs.push(m));
    assert.equal(cpu.name, 'cpu');
    assert.equal(cpu.reason, 'requested');
    assert.equal(tf.getBackend(), 'cpu');
    // The native kernels (native/) are on where the addon is built, and the report says which way and why.
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /^tfjs backend: cpu \(requested; native kernels (on|off): .+\)$/);
    assert.equal(logs[0]!.includes('native kernels on'), cpu.native?.enabled);
    assert.equal((await selectBackend('wasm')).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('auto picks tensorflow when installed, then a hardware webgpu adapter, else wasm; the environment overrides', async () => {
    const auto = await selectBackend('auto');
    assert.ok(['tensorflow', 'webgpu', 'wasm'].includes(auto.name));
    if (auto.name === 'wasm') {
      assert.match(auto.reason, /tfjs-node\(-gpu\) not installed/);
      // A software adapter (Mesa llvmpipe/lavapipe in CI) is never chosen automatically, and the reason says so.
      assert.match(auto.reason, /webgpu: (only a software adapter|Dawn found no adapter)/);
      assert.equal(auto.adapter, null);
    }
    process.env[BACKEND_ENV] = 'cpu';
    try {
      assert.equal((await selectBackend()).name, 'cpu');
    } finally {
      delete process.env[BACKEND_ENV];
    }
  });

  it('turns the native kernels off on request and rejects a bad thread count naming the variable', async () => {
    const off = await selectBackend('wasm', undefined, { native: false });
    assert.deepEqual(off.native, { enabled: false, reason: 'turned off by the caller', kernels: [] });
    process.env[NATIVE_THREADS_ENV] = 'many';
    try {
      await assert.rejects(selectBackend('cpu'), /SIGFORGE_NATIVE_THREADS must be a positive integer, got "many"/);
    } finally {
      delete process.env[NATIVE_THREADS_ENV];
    }
  });

  it('rejects unknown names listing the valid ones', async () => {
    await assert.rejects(selectBackend('cuda'), /unknown backend "cuda"; valid: auto, tensorflow, webgpu, wasm, cpu/);
  });
});
