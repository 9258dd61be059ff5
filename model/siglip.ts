// The two-tower SigLIP model: normalized embeddings and pairwise logits (recipe §1.4).
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { l2Normalize } from './ops.js';
import { type ParamGetter } from './params.js';
import { textTower } from './text.js';
import { type VisionInput, type VisionOptions, visionTower } from './vision.js';

export interface SiglipOutput {
  /** L2-normalized image embeddings [B, E]. */
  readonly zimg: tf.Tensor2D;
  /** L2-normalized text embeddings [B, E]. */
  readonly ztxt: tf.Tensor2D;
  /** Un-pooled image tokens [B, N, D] (for LocCa). */
  readonly imageTokens: tf.Tensor3D;
}

/** Embeds images and texts with both towers and L2-normalizes the results. */
export function siglipForward(
  p: ParamGetter,
  c: ModelConfig,
  images: VisionInput,
  ids: tf.Tensor2D,
  opts: VisionOptions = {},
): SiglipOutput {
  const v = visionTower(p, c, images, opts);
  const t = textTower(p, c, ids);
  return {
    zimg: l2Normalize(v.pooled) as tf.Tensor2D,
    ztxt: l2Normalize(t.pooled) as tf.Tensor2D,
    imageTokens: v.tokens as tf.Tensor3D,
  };
}

/** Pairwise logits [B_img, B_txt] = exp(t′)·zimg·ztxtᵀ + b. */
export function siglipLogits(p: ParamGetter, zimg: tf.Tensor, ztxt: tf.Tensor): tf.Tensor2D {
  const scale = tf.exp(p('logit_scale'));
  return tf.add(tf.mul(tf.matMul(zimg, ztxt, false, true), scale), p('logit_bias')) as tf.Tensor2D;
}
