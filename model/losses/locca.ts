// LocCa loss (recipe §3): mean over tasks (captioning, ARef, GCap) of the token-averaged cross-entropy of the decoder,
// the vocabulary softmax computed over row chunks so [B·T, V] logits never exist at once.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from '../config.js';
import { decoderForward, decoderLogits } from '../decoder.js';
import { logSumExp } from '../ops.js';
import { type ParamGetter } from '../params.js';

/** One decoder task: targets [B,T] int32 and a 0/1 loss mask [B,T]; `parallel` per row (captioning only). */
export interface LoccaTask {
  readonly targets: tf.Tensor2D;
  readonly lossMask: tf.Tensor2D;
  readonly parallel?: readonly boolean[];
}

/** Sum over rows of mask·(logsumexp(logits) − logit[target]), computing logits `chunkRows` rows at a time. */
export function chunkedCrossEntropySum(
  p: ParamGetter,
  hidden: tf.Tensor2D,
  targets: tf.Tensor1D,
  mask: tf.Tensor1D,
  chunkRows: number,
): tf.Scalar {
  const rows = hidden.shape[0];
  const vocab = p('locca.output_bias').shape[0]!;
  let total: tf.Tensor = tf.scalar(0);
  for (let start = 0; start < rows; start += chunkRows) {
    const n = Math.min(chunkRows, rows - start);
    const logits = decoderLogits(p, tf.slice(hidden, [start, 0], [n, -1]));
    const tgt = tf.oneHot(tf.slice(targets, [start], [n]), vocab);
    const nll = tf.sub(tf.reshape(logSumExp(logits), [n]), tf.sum(tf.mul(logits, tgt), -1));
    total = tf.add(total, tf.sum(tf.mul(nll, tf.slice(mask, [start], [n]))));
  }
  return total as tf.Scalar;
}

/** Token-averaged cross-entropy of one task (0 when its mask is empty, e.g. no row has boxes). */
export function loccaTaskLoss(
  p: ParamGetter,
  c: ModelConfig,
  task: LoccaTask,
  imageTokens: tf.Tensor,
  imageMask?: tf.Tensor,
  chunkRows = 256,
): tf.Scalar {
  const [b, t] = task.targets.shape;
  const hidden = decoderForward(p, c, {
    targets: task.targets,
    parallel: task.parallel ?? Array<boolean>(b).fill(false),
    imageTokens,
    imageMask,
  });
  const sum = chunkedCrossEntropySum(
    p,
    tf.reshape(hidden, [b * t, c.text.width]) as tf.Tensor2D,
    tf.reshape(task.targets, [-1]) as tf.Tensor1D,
    tf.reshape(task.lossMask, [-1]) as tf.Tensor1D,
    chunkRows,
  );
  return tf.div(sum, tf.maximum(tf.sum(task.lossMask), 1)) as tf.Scalar;
}

/** LocCa loss: mean of the per-task losses over the tasks that have at least one supervised token. */
export function loccaLoss(
  p: ParamGetter,
  c: ModelConfig,
  tasks: readonly LoccaTask[],
  imageTokens: tf.Tensor,
  imageMask?: tf.Tensor,
  chunkRows = 256,
): tf.Scalar {
  const active = tasks.filter((t) => t.lossMask.sum().dataSync()[0]! > 0);
  if (active.length === 0) return tf.scalar(0);
  const losses = active.map((t) => loccaTaskLoss(p, c, t, imageTokens, imageMask, chunkRows));
  return tf.div(tf.addN(losses), active.length) as tf.Scalar;
}
