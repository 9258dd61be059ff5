// Host-side embedding matrices (row-major Float32Array) and their similarity products.
import * as tf from '@tensorflow/tfjs';
import { EvalDataError } from './errors.js';

/** A row-major matrix of embeddings: `rows` vectors of `cols` floats. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Wraps a Float32Array as a matrix, checking its length. */
export function matrix(data: Float32Array, rows: number, cols: number, what = 'matrix'): Matrix {
  if (data.length !== rows * cols) {
    throw new EvalDataError(`has ${data.length} values, expected ${rows}×${cols} = ${rows * cols}`, what);
  }
  return { rows, cols, data };
}

/** Builds a matrix from nested arrays (tests and small hand-made cases). */
export function fromRows(rows: readonly (readonly number[])[], what = 'matrix'): Matrix {
  const cols = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new EvalDataError(`row ${i} has ${r.length} values, expected ${cols}`, what);
    out.set(r, i * cols);
  });
  return { rows: rows.length, cols, data: out };
}

/** Selects rows by index into a new matrix. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float32Array(idx.length * m.cols);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (r < 0 || r >= m.rows) throw new EvalDataError(`row index ${r} outside 0..${m.rows - 1}`, 'takeRows');
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  return { rows: idx.length, cols: m.cols, data: out };
}

/** L2-normalizes every row (zero rows stay zero). */
export function normalizeRows(m: Matrix): Matrix {
  const out = new Float32Array(m.data);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += out[r * m.cols + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < m.cols; c++) out[r * m.cols + c]! *= inv;
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/**
 * Calls `fn` with consecutive row blocks of a·bᵀ (each [n × b.rows], first row `start`), computed with tfjs, so
 * memory holds one block and never the whole similarity matrix.
 */
export async function forEachSimilarityBlock(a: Matrix, b: Matrix, fn: (start: number, block: Matrix) => void, blockRows = 1024): Promise<void> {
  if (a.cols !== b.cols) throw new EvalDataError(`dimensions differ: ${a.cols} vs ${b.cols}`, 'similarity');
  if (a.rows === 0) return;
  if (b.rows === 0) {
    fn(0, { rows: a.rows, cols: 0, data: new Float32Array(0) });
    return;
  }
  const bt = tf.tensor2d(b.data, [b.rows, b.cols]);
  try {
    for (let start = 0; start < a.rows; start += blockRows) {
      const n = Math.min(blockRows, a.rows - start);
      const block = tf.tidy(() => {
        const at = tf.tensor2d(a.data.subarray(start * a.cols, (start + n) * a.cols), [n, a.cols]);
        return tf.matMul(at, bt, false, true);
      });
      // An asynchronous read: a synchronous one stalls a GPU (and throws on webgpu).
      let data: Float32Array;
      try {
        data = (await block.data()) as Float32Array;
      } finally {
        block.dispose();
      }
      fn(start, { rows: n, cols: b.rows, data });
    }
  } finally {
    bt.dispose();
  }
}

/** Similarities a·bᵀ [a.rows × b.rows] in one matrix (small inputs; use forEachSimilarityBlock for large ones). */
export async function similarity(a: Matrix, b: Matrix, blockRows = 1024): Promise<Matrix> {
  const out = new Float32Array(a.rows * b.rows);
  await forEachSimilarityBlock(a, b, (start, block) => out.set(block.data, start * b.rows), blockRows);
  return { rows: a.rows, cols: b.rows, data: out };
}
