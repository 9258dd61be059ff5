// NaFlex pre-processing (recipe §5.2): pick the largest aspect-preserving size whose patch grid fits the sequence
// budget, resize with anti-aliasing, split into row-major patches and pad to the budget with a 0/1 mask.
import * as tf from '@tensorflow/tfjs';
import { naflexSize as naflexSizeHW } from '../pipelines/loader/naflex.js';
import { ModelInputError } from './errors.js';
import { aaResizeMatrix } from './resize.js';

export interface NaflexSize {
  /** Resized height and width in pixels (multiples of the patch size). */
  readonly height: number;
  readonly width: number;
  /** Patch grid rows and columns. */
  readonly rows: number;
  readonly cols: number;
}

/** Target size for an H×W image: the loader's search (≤ maxPatches patches of side p, big_vision), with its grid. */
export function naflexSize(height: number, width: number, p: number, maxPatches: number): NaflexSize {
  if (!(height > 0 && width > 0)) throw new ModelInputError('image sides must be positive', 'image', 'H, W > 0', `${height}×${width}`);
  if (maxPatches < 1) throw new ModelInputError('sequence budget must be ≥ 1', 'maxPatches', '≥ 1', String(maxPatches));
  const [h, w] = naflexSizeHW(height, width, p, maxPatches);
  return { height: h, width: w, rows: h / p, cols: w / p };
}

/** Anti-aliased bilinear resize of an interleaved RGB image (values as given) to outH×outW, in float64 math. */
export function resizeRgb(src: ArrayLike<number>, h: number, w: number, outH: number, outW: number): Float32Array {
  const my = aaResizeMatrix(h, outH);
  const mx = aaResizeMatrix(w, outW);
  const tmp = new Float64Array(h * outW * 3); // columns first
  for (let y = 0; y < h; y++)
    for (let ox = 0; ox < outW; ox++)
      for (let x = 0; x < w; x++) {
        const k = mx[ox * w + x]!;
        if (k === 0) continue;
        for (let c = 0; c < 3; c++) tmp[(y * outW + ox) * 3 + c]! += k * src[(y * w + x) * 3 + c]!;
      }
  const out = new Float32Array(outH * outW * 3);
  for (let oy = 0; oy < outH; oy++)
    for (let y = 0; y < h; y++) {
      const k = my[oy * h + y]!;
      if (k === 0) continue;
      for (let i = 0; i < outW * 3; i++) out[oy * outW * 3 + i]! += k * tmp[y * outW * 3 + i]!;
    }
  return out;
}

export interface NaflexPatches {
  /** [maxPatches × p·p·3] patches in row-major order, each flattened (y, x, channel); padding rows are zero. */
  readonly patches: Float32Array;
  /** [maxPatches] 1 for real patches, 0 for padding. */
  readonly mask: Float32Array;
  readonly size: NaflexSize;
}

/** Resizes an 8-bit RGB image (H×W×3 interleaved) to its NaFlex size, maps it to [−1, 1] and patchifies it. */
export function naflexPatchify(rgb: ArrayLike<number>, height: number, width: number, p: number, maxPatches: number): NaflexPatches {
  if (rgb.length !== height * width * 3) {
    throw new ModelInputError('pixel buffer does not match the image size', 'rgb', `${height * width * 3} values`, String(rgb.length));
  }
  const size = naflexSize(height, width, p, maxPatches);
  const img = resizeRgb(rgb, height, width, size.height, size.width);
  const dim = p * p * 3;
  const patches = new Float32Array(maxPatches * dim);
  const mask = new Float32Array(maxPatches);
  for (let r = 0; r < size.rows; r++)
    for (let c = 0; c < size.cols; c++) {
      const i = r * size.cols + c;
      mask[i] = 1;
      for (let y = 0; y < p; y++)
        for (let x = 0; x < p; x++)
          for (let ch = 0; ch < 3; ch++) {
            const v = img[((r * p + y) * size.width + c * p + x) * 3 + ch]!;
            patches[i * dim + (y * p + x) * 3 + ch] = v / 127.5 - 1;
          }
    }
  return { patches, mask, size };
}

/** Stacks per-image NaFlex patches into the model's NaFlex input tensors. */
export function naflexBatch(items: readonly NaflexPatches[]): { kind: 'naflex'; patches: tf.Tensor3D; mask: tf.Tensor2D; spatialShapes: Array<[number, number]> } {
  const len = items[0]?.mask.length ?? 0;
  const dim = len > 0 ? items[0]!.patches.length / len : 0;
  const patches = new Float32Array(items.length * len * dim);
  const mask = new Float32Array(items.length * len);
  items.forEach((it, b) => {
    if (it.mask.length !== len) throw new ModelInputError('all images need the same sequence length', `items[${b}]`, String(len), String(it.mask.length));
    patches.set(it.patches, b * len * dim);
    mask.set(it.mask, b * len);
  });
  return {
    kind: 'naflex',
    patches: tf.tensor3d(patches, [items.length, len, dim]),
    mask: tf.tensor2d(mask, [items.length, len]),
    spatialShapes: items.map((it) => [it.size.rows, it.size.cols]),
  };
}
