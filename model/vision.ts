// Image tower: patch embedding, learned position embedding (fixed grid or NaFlex grid resized per image),
// pre-LN encoder, final LN and MAP head (recipe §1.2, §5.2).
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, fixedGrid } from './config.js';
import { ModelInputError } from './errors.js';
import { broadcast, linear } from './ops.js';
import { type ParamGetter } from './params.js';
import { gridResizeMatrix } from './resize.js';
import { attention, encoderBlock, keyPaddingBias, mlp, norm } from './transformer.js';

/** Fixed-resolution input: images [B, H, W, 3] in [-1, 1], H and W multiples of the patch size. */
export interface FixedImages {
  readonly kind: 'fixed';
  readonly images: tf.Tensor4D;
}

/** NaFlex input: flattened patches (row-major, each p·p·3 in (y, x, channel) order), 0/1 mask, grid per image. */
export interface NaflexImages {
  readonly kind: 'naflex';
  readonly patches: tf.Tensor3D;
  readonly mask: tf.Tensor2D;
  /** [rows, cols] of patches of each image; rows·cols ≤ L. */
  readonly spatialShapes: ReadonlyArray<readonly [number, number]>;
}

export type VisionInput = FixedImages | NaflexImages;

export interface VisionOptions {
  /** [B, N] 0/1: patch tokens replaced by the mask token before the position embedding (masked prediction). */
  readonly maskPatches?: tf.Tensor;
  /** The learned mask token [D] used where maskPatches is 1. */
  readonly maskToken?: tf.Tensor;
}

export interface VisionOutput {
  /** Un-pooled tokens after the final LayerNorm [B, N, D] (LocCa, dense features). */
  readonly tokens: tf.Tensor;
  /** MAP-head output [B, D]: the image embedding before normalization. */
  readonly pooled: tf.Tensor;
}

/** Splits images [B,H,W,3] into flattened patches [B, (H/p)(W/p), p·p·3] in row-major (y, x, channel) order. */
export function patchify(images: tf.Tensor4D, p: number): tf.Tensor3D {
  const [b, h, w, c] = images.shape;
  if (h < p || w < p || c !== 3) {
    throw new ModelInputError('images must be RGB and at least one patch on each side', 'images', `[B,≥${p},≥${p},3]`, `[${images.shape.join(',')}]`);
  }
  const gh = Math.floor(h / p);
  const gw = Math.floor(w / p);
  // Like a stride-p conv, pixels past the last whole patch are ignored.
  const cropped = h === gh * p && w === gw * p ? images : tf.slice(images, [0, 0, 0, 0], [b, gh * p, gw * p, c]);
  // [B, gh, p, gw, p·3] → [B, gh, gw, p, p·3] keeps the transpose at rank 5.
  const x = tf.transpose(tf.reshape(cropped, [b, gh, p, gw, p * c]), [0, 1, 3, 2, 4]);
  return tf.reshape(x, [b, gh * gw, p * p * c]);
}

/** Position embeddings [N, D] for a gh×gw grid, resized (anti-aliased bilinear) from the learned grid when it differs. */
export function positionsForGrid(pos: tf.Tensor, grid: number, gh: number, gw: number): tf.Tensor {
  if (gh === grid && gw === grid) return pos;
  const m = tf.tensor2d(gridResizeMatrix(grid, grid, gh, gw), [gh * gw, grid * grid]);
  return tf.matMul(m, pos);
}

/** NaFlex resize weights [B, L, G²]: row i of image b interpolates its patch's position; padding rows copy row 0. */
export function naflexPositionWeights(
  spatialShapes: ReadonlyArray<readonly [number, number]>,
  seqLen: number,
  grid: number,
): tf.Tensor3D {
  const g2 = grid * grid;
  const out = new Float32Array(spatialShapes.length * seqLen * g2);
  spatialShapes.forEach(([gh, gw], b) => {
    if (gh * gw > seqLen) {
      throw new ModelInputError('spatial shape has more patches than the sequence length', `spatialShapes[${b}]`, `rows·cols ≤ ${seqLen}`, `${gh}×${gw}`);
    }
    const m = gridResizeMatrix(grid, grid, gh, gw);
    const base = b * seqLen * g2;
    out.set(m, base);
    for (let i = gh * gw; i < seqLen; i++) out.set(m.subarray(0, g2), base + i * g2);
  });
  return tf.tensor3d(out, [spatialShapes.length, seqLen, g2]);
}

function embedPatches(p: ParamGetter, patches: tf.Tensor, opts: VisionOptions): tf.Tensor {
  let x = linear(patches, p('vision_model.embeddings.patch_embedding.weight'), p('vision_model.embeddings.patch_embedding.bias'));
  if (opts.maskPatches && opts.maskToken) {
    const m = tf.expandDims(opts.maskPatches, -1);
    x = tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(m, opts.maskToken));
  }
  return x;
}

/** MAP head: one learned query attends over the tokens (padding keys masked), then a residual MLP. */
export function mapHead(p: ParamGetter, c: ModelConfig, tokens: tf.Tensor, mask?: tf.Tensor): tf.Tensor {
  const d = c.vision.width;
  const pre = 'vision_model.head';
  const b = tokens.shape[0]!;
  const w = p(`${pre}.attention.in_proj_weight`);
  const bias = p(`${pre}.attention.in_proj_bias`);
  const weights = {
    wq: tf.slice(w, [0, 0], [d, d]),
    wk: tf.slice(w, [0, d], [d, d]),
    wv: tf.slice(w, [0, 2 * d], [d, d]),
    bq: tf.slice(bias, [0], [d]),
    bk: tf.slice(bias, [d], [d]),
    bv: tf.slice(bias, [2 * d], [d]),
    wo: p(`${pre}.attention.out_proj.weight`),
    bo: p(`${pre}.attention.out_proj.bias`),
  };
  const probe = broadcast(p(`${pre}.probe`), [b, 1, d]);
  const y = attention(weights, probe, tokens, c.vision.heads, mask ? keyPaddingBias(mask) : undefined);
  const out = tf.add(y, mlp(p, `${pre}.mlp`, norm(p, `${pre}.layernorm`, y, c.layerNormEps)));
  return tf.reshape(out, [b, d]);
}

/** Runs the encoder of the image tower: un-pooled tokens after the final LayerNorm, and the padding mask if any. */
export function visionTokens(p: ParamGetter, c: ModelConfig, input: VisionInput, opts: VisionOptions = {}): { tokens: tf.Tensor; mask?: tf.Tensor } {
  const v = c.vision;
  const pos = p('vision_model.embeddings.position_embedding.weight');
  const grid = v.naflex ? v.posGrid : fixedGrid(c);
  let x: tf.Tensor;
  let mask: tf.Tensor | undefined;
  if (input.kind === 'fixed') {
    const [, h, w] = input.images.shape;
    const gh = Math.floor(h / v.patchSize);
    const gw = Math.floor(w / v.patchSize);
    x = tf.add(embedPatches(p, patchify(input.images, v.patchSize), opts), positionsForGrid(pos, grid, gh, gw));
  } else {
    const [b, len, dim] = input.patches.shape;
    if (dim !== v.patchSize * v.patchSize * 3 || input.spatialShapes.length !== b) {
      throw new ModelInputError('NaFlex patches do not match the model', 'patches', `[${input.spatialShapes.length},L,${v.patchSize ** 2 * 3}]`, `[${input.patches.shape.join(',')}]`);
    }
    const posB = linear(naflexPositionWeights(input.spatialShapes, len, grid), pos);
    x = tf.add(embedPatches(p, input.patches, opts), posB);
    mask = input.mask;
  }
  const bias = mask ? keyPaddingBias(mask) : undefined;
  for (let i = 0; i < v.depth; i++) x = encoderBlock(p, `vision_model.encoder.layers.${i}`, x, v.heads, c.layerNormEps, bias);
  return { tokens: norm(p, 'vision_model.post_layernorm', x, c.layerNormEps), ...(mask && { mask }) };
}

/** Runs the image tower on fixed-resolution images or NaFlex patches (needs the MAP head: HF vision_use_head). */
export function visionTower(p: ParamGetter, c: ModelConfig, input: VisionInput, opts: VisionOptions = {}): VisionOutput {
  if (!c.vision.useHead) {
    throw new ModelInputError('this model has no MAP head (vision_use_head: false), so it gives image tokens but no image embedding', 'model', 'vision.useHead true', 'false');
  }
  const { tokens, mask } = visionTokens(p, c, input, opts);
  return { tokens, pooled: mapHead(p, c, tokens, mask) };
}
