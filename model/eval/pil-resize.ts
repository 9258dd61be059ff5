// Pillow's `Image.resize(..., BILINEAR)` on 8-bit RGB, reproduced bit for bit: anti-aliased triangle filter whose
// support widens by the scale when down-sampling, 22-bit fixed-point coefficients, a horizontal pass into an 8-bit
// image and then a vertical pass (libImaging/Resample.c). HF's SigLIP 2 image processors resize this way, so
// imported official weights see the same pixels here as in transformers.

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

interface Coeffs {
  /** Taps per output sample. */
  readonly ksize: number;
  /** [out × 2]: first input index and tap count. */
  readonly bounds: Int32Array;
  /** [out × ksize] fixed-point weights. */
  readonly kk: Int32Array;
}

/** Fixed-point resampling weights of one axis (precompute_coeffs + normalize_coeffs_8bpc). */
function coeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const d = Math.abs((x + xmin - center + 0.5) * ss);
      w[x] = d < 1 ? 1 - d : 0;
      total += w[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const v = total !== 0 ? w[x]! / total : w[x]!;
      kk[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function clip8(v: number): number {
  if (v <= 0) return 0;
  const s = Math.floor(v / ONE);
  return s > 255 ? 255 : s;
}

/** Resizes interleaved 8-bit RGB (h×w×3) to outH×outW exactly as Pillow's BILINEAR resize does. */
export function pilBilinearRgb(src: Uint8Array, h: number, w: number, outH: number, outW: number): Uint8Array {
  if (src.length !== h * w * 3) throw new RangeError(`pilBilinearRgb: buffer has ${src.length} bytes, ${h}×${w}×3 needs ${h * w * 3}`);
  if (!(outH > 0 && outW > 0)) throw new RangeError(`pilBilinearRgb: output size ${outH}×${outW} must be positive`);
  const needH = outW !== w;
  const needV = outH !== h;
  const cv = coeffs(h, outH);
  // The horizontal pass only covers the rows the vertical pass reads.
  const yFirst = needV ? cv.bounds[0]! : 0;
  const yLast = needV ? cv.bounds[outH * 2 - 2]! + cv.bounds[outH * 2 - 1]! : h;
  let mid = src;
  let midRows = h;
  let rowOffset = 0;
  if (needH) {
    const ch = coeffs(w, outW);
    midRows = yLast - yFirst;
    rowOffset = yFirst;
    mid = new Uint8Array(midRows * outW * 3);
    for (let y = 0; y < midRows; y++) {
      const srcRow = (y + yFirst) * w * 3;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = ch.bounds[xx * 2]!;
        const n = ch.bounds[xx * 2 + 1]!;
        const k = xx * ch.ksize;
        for (let c = 0; c < 3; c++) {
          let ss = ONE / 2;
          for (let x = 0; x < n; x++) ss += src[srcRow + (x + xmin) * 3 + c]! * ch.kk[k + x]!;
          mid[(y * outW + xx) * 3 + c] = clip8(ss);
        }
      }
    }
  }
  if (!needV) return needH ? mid : src.slice();
  const out = new Uint8Array(outH * outW * 3);
  const stride = outW * 3;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = cv.bounds[yy * 2]! - (needH ? rowOffset : 0);
    const n = cv.bounds[yy * 2 + 1]!;
    const k = yy * cv.ksize;
    for (let i = 0; i < stride; i++) {
      let ss = ONE / 2;
      for (let y = 0; y < n; y++) ss += mid[(y + ymin) * stride + i]! * cv.kk[k + y]!;
      out[yy * stride + i] = clip8(ss);
    }
  }
  return out;
}
