// PI-resize of a patch-embedding kernel (FlexiViT, recipe §5.1): ŵ = pinv(Bᵀ)·w with B the bilinear resize of a
// flattened p×p patch to p′×p′, so ⟨B·x, ŵ⟩ ≈ ⟨x, w⟩ (exactly when up-sampling).
import { ModelInputError } from './errors.js';
import { aaResizeMatrix } from './resize.js';

/** Solves A·X = B for symmetric positive-definite A [n×n] (Cholesky), B [n×m]; float64, row-major. */
function choleskySolve(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (s <= 0) throw new ModelInputError('resize operator is rank deficient', 'patch size', 'full-rank bilinear resize', `pivot ${s}`);
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  const x = Float64Array.from(b);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + c]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k * m + c]!;
      x[i * m + c] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + c]!;
      for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k * m + c]!;
      x[i * m + c] = s / l[i * n + i]!;
    }
  }
  return x;
}

/** Resize matrix B [(q·q) × (p·p)] of a flattened p×p patch to q×q. */
export function patchResizeMatrix(p: number, q: number): Float64Array {
  const m1 = aaResizeMatrix(p, q);
  const out = new Float64Array(q * q * p * p);
  for (let oy = 0; oy < q; oy++)
    for (let ox = 0; ox < q; ox++)
      for (let iy = 0; iy < p; iy++)
        for (let ix = 0; ix < p; ix++) out[(oy * q + ox) * p * p + iy * p + ix] = m1[oy * p + iy]! * m1[ox * p + ix]!;
  return out;
}

/** PI-resizes a patch kernel [p·p·3, D] (rows in (y, x, channel) order) to [q·q·3, D]. */
export function piResizeKernel(kernel: Float32Array, p: number, q: number, d: number): Float32Array {
  if (kernel.length !== p * p * 3 * d) throw new ModelInputError('kernel size mismatch', 'kernel', `${p * p * 3 * d} values`, String(kernel.length));
  const n = p * p;
  const k = q * q;
  const b = patchResizeMatrix(p, q); // [k × n]
  const cols = 3 * d;
  // W [n × (3·D)]: one column per (channel, output unit).
  const w = new Float64Array(n * cols);
  for (let pos = 0; pos < n; pos++)
    for (let c = 0; c < 3; c++) for (let o = 0; o < d; o++) w[pos * cols + c * d + o] = kernel[(pos * 3 + c) * d + o]!;
  let wHat: Float64Array; // [k × cols]
  if (k >= n) {
    // Up-sampling: Bᵀ has full row rank, ŵ = B·(BᵀB)⁻¹·w.
    const btb = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let r = 0; r < k; r++) s += b[r * n + i]! * b[r * n + j]!; btb[i * n + j] = s; }
    const y = choleskySolve(btb, n, w, cols);
    wHat = new Float64Array(k * cols);
    for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) { const bv = b[r * n + i]!; if (bv !== 0) for (let c = 0; c < cols; c++) wHat[r * cols + c]! += bv * y[i * cols + c]!; }
  } else {
    // Down-sampling: Bᵀ has full column rank, ŵ = (B·Bᵀ)⁻¹·B·w (least squares).
    const bbt = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) { let s = 0; for (let r = 0; r < n; r++) s += b[i * n + r]! * b[j * n + r]!; bbt[i * k + j] = s; }
    const bw = new Float64Array(k * cols);
    for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) { const bv = b[r * n + i]!; if (bv !== 0) for (let c = 0; c < cols; c++) bw[r * cols + c]! += bv * w[i * cols + c]!; }
    wHat = choleskySolve(bbt, k, bw, cols);
  }
  const out = new Float32Array(k * 3 * d);
  for (let pos = 0; pos < k; pos++)
    for (let c = 0; c < 3; c++) for (let o = 0; o < d; o++) out[(pos * 3 + c) * d + o] = wHat[pos * cols + c * d + o]!;
  return out;
}
