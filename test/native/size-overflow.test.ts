// Issue 17 defect 14: size products in the N-API kernels are checked, so huge shape arguments throw a RangeError
// instead of wrapping around to a small size that a short buffer passes (and then crashing the process).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ADDON_PATH } from '../../native/addon.js';
import { nativeSkip } from './reference.js';

const skip = nativeSkip();

// Each case runs in a child process: before the fix some of them crash it (SIGSEGV, std::bad_alloc).
const CASES: { [name: string]: string } = {
  // m·k = 2^33 and matrix index 2^31 − 1: (index + 1)·m·k wraps to 0.
  sgemm: `addon.sgemm(new Float32Array(4), new Float32Array(131072), new Float32Array(65536), 1, 65536, 1, 131072, false, false, new Int32Array([2 ** 31 - 1]), null)`,
  // rows·classes = 2^64 wraps to 0 = the empty logits' length.
  crossEntropy: `addon.crossEntropy(new Float32Array(0), new Int32Array(4), new Float32Array(4), 4, 2 ** 62, new Float32Array(4), new Float32Array(1))`,
  crossEntropyGrad: `addon.crossEntropyGrad(new Float32Array(1), new Float32Array(0), new Int32Array(4), new Float32Array(4), new Float32Array(4), 4, 2 ** 62, new Float32Array(0))`,
  // outer·dim·inner = 2^64 wraps to 0.
  gather: `addon.gather(new Float32Array(8), 4, 2 ** 62, 1, new Int32Array([1]), new Float32Array(4))`,
  // 65536^4 = 2^64 elements wraps to 0: returned as if the tensor were empty.
  transpose: `addon.transpose(new Float32Array(1), new Int32Array([65536, 65536, 65536, 65536]), new Int32Array([3, 2, 1, 0]), new Float32Array(1))`,
  tile: `addon.tile(new Float32Array(1), new Int32Array([65536, 65536, 65536, 65536]), new Int32Array([1, 1, 1, 1]), new Float32Array(1))`,
};

function runCase(call: string): { status: number | null; signal: string | null; out: string } {
  const script = [
    `const addon = require(${JSON.stringify(ADDON_PATH)});`,
    `try { ${call}; console.log('returned'); }`,
    `catch (e) { console.log(e instanceof RangeError ? 'RangeError: ' + e.message : 'other: ' + e); }`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, out: (r.stdout + r.stderr).trim() };
}

describe('native kernels check size products (defect 14)', { skip }, () => {
  for (const [name, call] of Object.entries(CASES)) {
    it(`${name} with a shape whose element count overflows throws a RangeError`, () => {
      const r = runCase(call);
      assert.equal(r.signal, null, `${name} crashed the process (${r.signal}): ${r.out}`);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /^RangeError: /, r.out);
    });
  }
});
