// Evaluation image pre-processing (recipe §8.1): square resize to the model's resolution (no crop) or NaFlex
// resize_to_sequence (§5) with Pillow's bilinear (HF's SigLIP 2 processors), pixels mapped to [-1, 1]. Transparent
// images are flattened onto white.
import sharp, { type Metadata } from 'sharp';
import { naflexSize } from '../../pipelines/loader/naflex.js';
import { EvalDataError } from './errors.js';
import { pilBilinearRgb } from './pil-resize.js';

/** How images are turned into model input; part of the embedding cache key. */
export type ImagePrep = { readonly kind: 'fixed'; readonly size: number } | { readonly kind: 'naflex'; readonly patchSize: number; readonly seqLen: number };

/** A short stable text naming a pre-processing (for cache keys and result JSON). */
export function prepTag(prep: ImagePrep): string {
  return prep.kind === 'fixed' ? `fixed-${prep.size}-bilinear-white` : `naflex-p${prep.patchSize}-L${prep.seqLen}-bilinear-white`;
}

/** NaFlex target size: the largest scale whose patch grid (sides rounded up to multiples of p) fits in L patches. */
export function naflexTargetSize(height: number, width: number, patchSize: number, seqLen: number): { rows: number; cols: number } {
  const [h, w] = naflexSize(height, width, patchSize, seqLen);
  return { rows: h / patchSize, cols: w / patchSize };
}

async function rawRgb(bytes: Uint8Array, width: number, height: number, what: string): Promise<Float32Array> {
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    decoded = await sharp(bytes)
      .rotate()
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new EvalDataError(`image does not decode (${(cause as Error).message})`, what, { cause });
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new EvalDataError(`image decodes to ${info.channels} channels, expected RGB`, what);
  // Pillow's anti-aliased bilinear, as HF's SigLIP 2 processors resize (not sharp's lanczos3).
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const raw = pilBilinearRgb(src, info.height, info.width, height, width);
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! / 127.5 - 1;
  return out;
}

/** Decodes and resizes one image to size×size RGB in [-1, 1] (row-major H, W, 3). */
export async function fixedPixels(bytes: Uint8Array, size: number, what = 'image'): Promise<Float32Array> {
  return rawRgb(bytes, size, size, what);
}

/** One image as NaFlex input: patches [L, p·p·3] (zero-padded), mask [L], and its patch grid. */
export interface NaflexPixels {
  readonly patches: Float32Array;
  readonly mask: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Decodes one image, resizes it to its NaFlex grid and splits it into row-major flattened patches. */
export async function naflexPixels(bytes: Uint8Array, patchSize: number, seqLen: number, what = 'image'): Promise<NaflexPixels> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (cause) {
    throw new EvalDataError(`image does not decode (${(cause as Error).message})`, what, { cause });
  }
  const oriented = (meta.orientation ?? 1) >= 5;
  const h = (oriented ? meta.width : meta.height) ?? 1;
  const w = (oriented ? meta.height : meta.width) ?? 1;
  const { rows, cols } = naflexTargetSize(h, w, patchSize, seqLen);
  const p = patchSize;
  const px = await rawRgb(bytes, cols * p, rows * p, what);
  const dim = p * p * 3;
  const patches = new Float32Array(seqLen * dim);
  const mask = new Float32Array(seqLen);
  const rowStride = cols * p * 3;
  for (let gy = 0; gy < rows; gy++) {
    for (let gx = 0; gx < cols; gx++) {
      const n = gy * cols + gx;
      mask[n] = 1;
      for (let y = 0; y < p; y++) {
        const src = (gy * p + y) * rowStride + gx * p * 3;
        patches.set(px.subarray(src, src + p * 3), n * dim + y * p * 3);
      }
    }
  }
  return { patches, mask, rows, cols };
}
