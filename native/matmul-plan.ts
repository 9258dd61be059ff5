// Pure shape logic for batched matmul: output shape, GEMM sizes and which input matrix each output batch reads.
import { NativeShapeError } from './errors.js';

/** How one BatchMatMul maps onto `batch` dense GEMMs of m×k by k×n. */
export interface MatMulPlan {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly outShape: number[];
  /** Matrix of `a` used by each output batch entry; null when it is the identity. */
  readonly aIndex: Int32Array | null;
  /** Matrix of `b` used by each output batch entry; null when it is the identity. */
  readonly bIndex: Int32Array | null;
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Numpy-style broadcast of two batch shapes; throws NativeShapeError naming both when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new NativeShapeError(`matMul: batch dims [${a.join(',')}] and [${b.join(',')}] do not broadcast`, {
        a,
        b,
      });
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each index of `outDims`, the flat index into `dims` (which broadcasts to it); null when identical. */
function batchIndex(dims: readonly number[], outDims: readonly number[]): Int32Array | null {
  const total = size(outDims);
  if (dims.length === outDims.length && dims.every((d, i) => d === outDims[i])) return null;
  const index = new Int32Array(total);
  if (size(dims) === 1) return index;
  const offset = outDims.length - dims.length;
  // Stride of each output axis inside `dims`; 0 where `dims` broadcasts (size 1 or absent).
  const strides = new Array<number>(outDims.length).fill(0);
  let stride = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const d = dims[i] ?? 1;
    strides[i + offset] = d === 1 ? 0 : stride;
    stride *= d;
  }
  const counter = new Array<number>(outDims.length).fill(0);
  let flat = 0;
  for (let t = 0; t < total; t++) {
    index[t] = flat;
    for (let ax = outDims.length - 1; ax >= 0; ax--) {
      counter[ax] = (counter[ax] ?? 0) + 1;
      flat += strides[ax] ?? 0;
      if (counter[ax]! < (outDims[ax] ?? 1)) break;
      flat -= (strides[ax] ?? 0) * counter[ax]!;
      counter[ax] = 0;
    }
  }
  return index;
}

/** Plans `matMul(a, b, transposeA, transposeB)` for tensors of rank ≥ 2 with broadcasting batch dims. */
export function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new NativeShapeError(`matMul: inputs need rank ≥ 2, got [${aShape.join(',')}] and [${bShape.join(',')}]`, {
      aShape,
      bShape,
    });
  }
  const ar = aShape.length;
  const br = bShape.length;
  const m = transposeA ? aShape[ar - 1]! : aShape[ar - 2]!;
  const kA = transposeA ? aShape[ar - 2]! : aShape[ar - 1]!;
  const kB = transposeB ? bShape[br - 1]! : bShape[br - 2]!;
  const n = transposeB ? bShape[br - 2]! : bShape[br - 1]!;
  if (kA !== kB) {
    throw new NativeShapeError(
      `matMul: inner sizes ${kA} and ${kB} of [${aShape.join(',')}] and [${bShape.join(',')}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) differ`,
      { aShape, bShape, transposeA, transposeB },
    );
  }
  const aDims = aShape.slice(0, -2);
  const bDims = bShape.slice(0, -2);
  const outDims = broadcastShapes(aDims, bDims);
  return {
    batch: size(outDims),
    m,
    n,
    k: kA,
    outShape: [...outDims, m, n],
    aIndex: batchIndex(aDims, outDims),
    bIndex: batchIndex(bDims, outDims),
  };
}

/** Whether a bias of `biasShape` repeats with period size(bias) over an output of `outShape` (a suffix shape). */
export function biasTiles(biasShape: readonly number[], outShape: readonly number[]): boolean {
  let start = 0;
  while (start < biasShape.length && biasShape[start] === 1) start++;
  const core = biasShape.slice(start);
  if (core.length > outShape.length) return false;
  const suffix = outShape.slice(outShape.length - core.length);
  return core.every((d, i) => d === suffix[i]);
}
