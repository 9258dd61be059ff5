// native/enable.ts turns the kernels on for both backends before any backend has started.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { enabledReports } from '../../native/enable.js';
import { nativeSkip } from './reference.js';

describe('native/enable', { skip: nativeSkip() }, () => {
  it('registers on cpu and wasm, and the wasm backend still starts and computes through them', async () => {
    assert.equal(enabledReports.cpu.enabled, true);
    assert.equal(enabledReports.wasm.enabled, true);
    // Registered before the wasm backend initialized: the original kernels' setup must still have run.
    assert.equal(await tf.setBackend('wasm'), true);
    const y = tf.tidy(() =>
      Array.from(tf.fused.matMul({ a: tf.ones([2, 3, 4]), b: tf.ones([4, 5]), bias: tf.ones([5]) }).dataSync()),
    );
    assert.deepEqual(y, new Array<number>(30).fill(5));
    const t = tf.tidy(() => Array.from(tf.tanh(tf.tensor([0, 100])).dataSync()));
    assert.deepEqual(t, [0, 1]);
  });
});
