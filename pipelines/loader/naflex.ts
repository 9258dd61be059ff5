// NaFlex pre-processing (recipe §5.2): the largest aspect-preserving size whose patch grid fits a sequence budget,
// and row-major patchification with a padding mask.
import { LoaderInputError } from './errors.js';

/** Target [height, width] (multiples of p, at most `seqLen` patches) for an H×W image; binary search on the scale. */
export function naflexSize(height: number, width: number, p: number, seqLen: number): [number, number] {
  if (height <= 0 || width <= 0) throw new LoaderInputError('sides must be positive', `image ${width}×${height}`);
  if (seqLen < 1) throw new LoaderInputError('must be at least 1', `sequence length ${seqLen}`);
  const sides = (r: number): [number, number] => [
    Math.max(p, p * Math.ceil((height * r) / p)),
    Math.max(p, p * Math.ceil((width * r) / p)),
  ];
  const fits = (r: number): boolean => {
    const [h, w] = sides(r);
    return (h / p) * (w / p) <= seqLen;
  };
  let lo = 1e-6;
  let hi = 100;
  while (hi - lo >= 1e-5) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return sides(lo);
}

const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/**
 * {@link patchifyInto} straight from h×w RGB bytes: each byte becomes v / 127.5 − 1 as it is written into its patch
 * (one pass, no intermediate float image, no per-row subarrays); returns [rows, cols].
 */
export function patchifyRgbInto(rgb: Uint8Array, h: number, w: number, p: number, patches: Float32Array, mask: Float32Array): [number, number] {
  const rows = h / p;
  const cols = w / p;
  const rowLen = p * 3;
  // Source pixel rows in order: row y of the image fills row (y mod p) of every patch of grid row ⌊y / p⌋.
  for (let y = 0; y < h; y++) {
    const gy = (y / p) | 0;
    let src = y * w * 3;
    let dst = (gy * cols * p + (y - gy * p)) * rowLen;
    for (let gx = 0; gx < cols; gx++, dst += p * rowLen) {
      for (let j = 0; j < rowLen; j++) patches[dst + j] = UNIT[rgb[src++]!]!;
    }
  }
  mask.fill(1, 0, rows * cols);
  return [rows, cols];
}

/**
 * Writes an h×w RGB float image (HWC) as row-major patches, each p·p·3 in (y, x, channel) order, into `patches`
 * (seqLen × p·p·3) and sets mask[i] = 1 for real patches; returns [rows, cols].
 */
export function patchifyInto(
  pixels: Float32Array,
  h: number,
  w: number,
  p: number,
  patches: Float32Array,
  mask: Float32Array,
): [number, number] {
  const rows = h / p;
  const cols = w / p;
  const dim = p * p * 3;
  let k = 0;
  for (let gy = 0; gy < rows; gy++) {
    for (let gx = 0; gx < cols; gx++, k++) {
      const base = k * dim;
      for (let y = 0; y < p; y++) {
        const src = ((gy * p + y) * w + gx * p) * 3;
        patches.set(pixels.subarray(src, src + p * 3), base + y * p * 3);
      }
      mask[k] = 1;
    }
  }
  return [rows, cols];
}
