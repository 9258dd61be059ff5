// Test helpers for native kernels: seeded data, a float64 reference matmul, and switching kernels on/off.
import { mulberry32 } from '../../pipelines/random.js';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  loadAddon,
  tryRegisterNativeKernels,
  unregisterNativeKernels,
  type NativeBackendName,
} from '../../native/index.js';
import { broadcastShapes } from '../../native/matmul-plan.js';

export const BACKENDS: NativeBackendName[] = ['cpu', 'wasm'];

/**
 * Whether native tests run: they are skipped (with the reason) when the addon is not built, unless
 * SIGFORGE_REQUIRE_NATIVE=1, which CI sets so that a broken build fails loudly.
 */
export function nativeSkip(): string | false {
  const { addon, reason } = loadAddon();
  if (addon) return false;
  if (process.env.SIGFORGE_REQUIRE_NATIVE === '1') throw new Error(`SIGFORGE_REQUIRE_NATIVE=1 but ${reason}`);
  return reason;
}

/** The project's seeded PRNG (mulberry32), so fixtures are the same on every run. */
export const rng = mulberry32;

/** Uniform values in [-1, 1) of the given shape. */
export function randomValues(rand: () => number, shape: number[]): Float32Array {
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rand() * 2 - 1;
  return out;
}

/** Float64 matmul with numpy batch broadcasting; also returns Σ|a·b| per output for the error bound. */
export function referenceMatMul(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): { values: Float64Array; magnitude: Float64Array; shape: number[] } {
  const ar = aShape.length;
  const br = bShape.length;
  const m = transposeA ? aShape[ar - 1]! : aShape[ar - 2]!;
  const k = transposeA ? aShape[ar - 2]! : aShape[ar - 1]!;
  const n = transposeB ? bShape[br - 2]! : bShape[br - 1]!;
  const aDims = aShape.slice(0, -2);
  const bDims = bShape.slice(0, -2);
  const outDims = broadcastShapes(aDims, bDims);
  const batch = outDims.reduce((p, d) => p * d, 1);
  const values = new Float64Array(batch * m * n);
  const magnitude = new Float64Array(batch * m * n);
  const flatIndex = (dims: number[], coord: number[]): number => {
    let idx = 0;
    const off = coord.length - dims.length;
    for (let i = 0; i < dims.length; i++) idx = idx * dims[i]! + (dims[i] === 1 ? 0 : coord[i + off]!);
    return idx;
  };
  for (let t = 0; t < batch; t++) {
    const coord: number[] = [];
    let rest = t;
    for (let i = outDims.length - 1; i >= 0; i--) {
      coord.unshift(rest % outDims[i]!);
      rest = Math.floor(rest / outDims[i]!);
    }
    const ao = flatIndex(aDims, coord) * m * k;
    const bo = flatIndex(bDims, coord) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let mag = 0;
        for (let p = 0; p < k; p++) {
          const av = a[ao + (transposeA ? p * m + i : i * k + p)]!;
          const bv = b[bo + (transposeB ? j * k + p : p * n + j)]!;
          s += av * bv;
          mag += Math.abs(av * bv);
        }
        values[t * m * n + i * n + j] = s;
        magnitude[t * m * n + i * n + j] = mag;
      }
    }
  }
  return { values, magnitude, shape: [...outDims, m, n] };
}

/**
 * Tolerance used throughout: |got − exact| ≤ RTOL·Σ|a·b| + ATOL per output element (float32 accumulation error
 * grows with the sum of magnitudes, whatever the summation order).
 */
export const RTOL = 1e-5;
export const ATOL = 1e-6;

/** Asserts got ≈ want elementwise within RTOL·scale + ATOL; returns the largest scaled error seen. */
export function assertClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  scale: ArrayLike<number> | number,
  what: string,
): number {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length} ≠ ${want.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const s = typeof scale === 'number' ? scale : scale[i]!;
    const err = Math.abs(got[i]! - want[i]!);
    const bound = RTOL * s + ATOL;
    if (!(err <= bound)) throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (±${bound})`);
    worst = Math.max(worst, err / bound);
  }
  return worst;
}

/** Runs `fn` on `backend` with the native kernels on or off, restoring the previous state. */
export async function onBackend<T>(backend: NativeBackendName, native: boolean, fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  await tf.ready();
  if (native) tryRegisterNativeKernels(backend);
  else unregisterNativeKernels(backend);
  try {
    return fn();
  } finally {
    unregisterNativeKernels(backend);
  }
}
