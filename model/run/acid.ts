// ACID data selection (recipe §6.3, per-example variant): learnability = student loss − teacher loss of each row of
// the super-batch's pairwise sigmoid loss; the best (1 − f) fraction is trained on.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from '../config.js';
import { type ParamGetter } from '../params.js';
import { siglipForward, siglipLogits } from '../siglip.js';
import { type VisionInput } from '../vision.js';

/** Per-row sigmoid loss Σ_j softplus(−z_ij·logit_ij) of a model on a batch (forward only; one asynchronous read). */
export async function rowSigmoidLoss(p: ParamGetter, c: ModelConfig, images: VisionInput, ids: tf.Tensor2D): Promise<Float32Array> {
  const rows = tf.tidy(() => {
    const out = siglipForward(p, c, images, ids);
    const logits = siglipLogits(p, out.zimg, out.ztxt);
    const n = logits.shape[0];
    const z = tf.sub(tf.mul(tf.eye(n), 2), 1);
    return tf.sum(tf.softplus(tf.neg(tf.mul(z, logits))), 1);
  });
  try {
    return (await rows.data()) as Float32Array;
  } finally {
    rows.dispose();
  }
}

/** Learnability scores: student row loss − teacher row loss. */
export function learnability(student: Float32Array, teacher: Float32Array): Float32Array {
  return student.map((s, i) => s - teacher[i]!);
}

/** Indices of the `keep` highest scores (ties to the lower index), in ascending index order. */
export function selectLearnable(scores: Float32Array, keep: number): number[] {
  const idx = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, keep).sort((a, b) => a - b);
}

/** Super-batch size for a training batch b and filtering ratio f: ⌈b / (1 − f)⌉. */
export function superBatchSize(b: number, f: number): number {
  return Math.ceil(b / (1 - f) - 1e-9);
}
