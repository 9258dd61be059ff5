// Self-distillation (local-to-global) and masked-prediction losses in the DINO/iBOT cross-entropy form (recipe §4).
import * as tf from '@tensorflow/tfjs';
import { logSoftmax } from '../ops.js';

/** Teacher probabilities softmax((logits − center)/τ_t) (no gradient is taken through them). */
export function teacherProbs(logits: tf.Tensor, center: tf.Tensor, tauT: number): tf.Tensor {
  return tf.softmax(tf.div(tf.sub(logits, center), tauT));
}

/** −Σ_K p_t·log softmax(s/τ_s), averaged over rows; `weights` [rows] selects rows (e.g. masked patches). */
export function distillCrossEntropy(teacherP: tf.Tensor, studentLogits: tf.Tensor, tauS: number, weights?: tf.Tensor): tf.Scalar {
  const ce = tf.neg(tf.sum(tf.mul(teacherP, logSoftmax(tf.div(studentLogits, tauS))), -1));
  if (!weights) return tf.mean(ce) as tf.Scalar;
  return tf.div(tf.sum(tf.mul(ce, weights)), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
}

/**
 * Local-to-global loss: teacher probabilities of the global view [B, K] against the student's logits for each of
 * the V local views [V·B, K] (view-major), averaged over views and rows.
 */
export function localToGlobalLoss(teacherP: tf.Tensor, studentLocal: tf.Tensor, tauS: number): tf.Scalar {
  const b = teacherP.shape[0]!;
  const views = studentLocal.shape[0]! / b;
  return distillCrossEntropy(tf.tile(teacherP, [views, 1]), studentLocal, tauS);
}

/** New center: m·center + (1 − m)·mean of the teacher logits over rows. */
export function updateCenter(center: tf.Tensor, teacherLogits: tf.Tensor, momentum = 0.9): tf.Tensor {
  const flat = tf.reshape(teacherLogits, [-1, teacherLogits.shape[teacherLogits.rank - 1]!]);
  return tf.add(tf.mul(center, momentum), tf.mul(tf.mean(flat, 0), 1 - momentum));
}
