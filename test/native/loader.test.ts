// The loader and registration: optional build, clear reasons, option checks, swapping kernels in and out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  FUSED_KERNELS,
  NativeOptionsError,
  loadAddon,
  tryRegisterNativeKernels,
  unregisterNativeKernels,
  type NativeBackendName,
} from '../../native/index.js';
import { nativeSkip } from './reference.js';

const skip = nativeSkip();

describe('tryRegisterNativeKernels', () => {
  it('reports enabled:false with the reason when the addon is turned off, and leaves tfjs working', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { tryRegisterNativeKernels } from './native/index.ts';
      await tf.setBackend('cpu');
      const report = tryRegisterNativeKernels('cpu');
      const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0];
      process.stdout.write(JSON.stringify({ report, product }));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, SIGFORGE_NATIVE: '0' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const { report, product } = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
      report: { enabled: boolean; reason: string; kernels: string[] };
      product: number;
    };
    assert.equal(report.enabled, false);
    assert.match(report.reason, /disabled by SIGFORGE_NATIVE=0/);
    assert.deepEqual(report.kernels, []);
    assert.equal(product, 11);
  });

  it('rejects bad options with a clear error', () => {
    assert.throws(() => tryRegisterNativeKernels('cpu', { threads: 0 }), NativeOptionsError);
    assert.throws(
      () => tryRegisterNativeKernels('cpu', { threads: 1.5 }),
      /threads must be an integer in 1\.\.1024, got 1\.5/,
    );
    assert.throws(
      () => tryRegisterNativeKernels('gpu' as NativeBackendName),
      /unknown backend "gpu"; valid: cpu, wasm/,
    );
  });

  it('swaps the kernels in and back out, idempotently, and sets the BLAS thread count', { skip }, async () => {
    await tf.setBackend('cpu');
    const own = tf.getKernel('BatchMatMul', 'cpu');
    const first = tryRegisterNativeKernels('cpu', { threads: 1 });
    assert.equal(first.enabled, true);
    assert.deepEqual(first.kernels, [
      'BatchMatMul',
      '_FusedMatMul',
      'Tanh',
      'Pow',
      'Exp',
      'Transpose',
      'Tile',
      'GatherV2',
      'Add',
      'Sub',
      'Multiply',
      'RealDiv',
      'Sum',
      'UnsortedSegmentSum',
      'SigforgeAdamW',
      ...Object.values(FUSED_KERNELS),
    ]);
    assert.ok(tf.getKernel(FUSED_KERNELS.layerNorm, 'cpu'), 'fused kernels are added');
    assert.match(first.reason, /OpenBLAS .*; 1 BLAS thread\(s\)/);
    assert.equal(loadAddon().addon?.getThreads(), 1);
    const native = tf.getKernel('BatchMatMul', 'cpu');
    assert.notEqual(native?.kernelFunc, own?.kernelFunc);
    const again = tryRegisterNativeKernels('cpu', { threads: 2 });
    assert.equal(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc, native?.kernelFunc, 'not wrapped twice');
    assert.match(again.reason, /2 BLAS thread\(s\)/);
    assert.equal(unregisterNativeKernels('cpu'), true);
    assert.equal(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc, own?.kernelFunc);
    assert.equal(tf.getKernel(FUSED_KERNELS.layerNorm, 'cpu'), undefined, 'fused kernels are removed again');
    assert.equal(unregisterNativeKernels('cpu'), false);
  });

  it('leaves the fused kernels out under SIGFORGE_NATIVE_FUSED=0 and keeps the others', { skip }, () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { tryRegisterNativeKernels } from './native/index.ts';
      await tf.setBackend('cpu');
      process.stdout.write(JSON.stringify(tryRegisterNativeKernels('cpu').kernels));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, SIGFORGE_NATIVE_FUSED: '0' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const kernels = JSON.parse(run.stdout.slice(run.stdout.indexOf('['))) as string[];
    assert.ok(kernels.includes('BatchMatMul') && kernels.includes('SigforgeAdamW'), kernels.join());
    for (const name of Object.values(FUSED_KERNELS)) assert.ok(!kernels.includes(name), `${name} left out`);
  });

  it('rejects out-of-bounds buffers in the addon instead of touching memory', { skip }, () => {
    const addon = loadAddon().addon!;
    const a = new Float32Array(4);
    const c = new Float32Array(4);
    assert.throws(
      () => addon.sgemm(a, a, c, 2, 2, 2, 2, false, false, null, null),
      /c has 4 elements, too few for batch=2 m=2 n=2/,
    );
    assert.throws(
      () => addon.sgemm(a, a, c, 1, 2, 2, 2, false, false, new Int32Array([1]), null),
      /a batch entry 0 selects matrix 1 of 4 elements beyond a buffer of 4/,
    );
    assert.throws(
      () => addon.epilogue(c, new Float32Array(3), 0, 0, null),
      /bias of 3 elements does not tile an output of 4/,
    );
  });
});
