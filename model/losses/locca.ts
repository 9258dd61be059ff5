// LocCa loss (recipe §3): mean over tasks (captioning, ARef, GCap) of the token-averaged cross-entropy of the decoder,
// the vocabulary softmax computed over row chunks so [B·T, V] logits never exist at once. The tasks share the image
// tokens, so one decoder pass runs all of them (their rows stacked along the batch): the same per-row function as a
// pass per task, with a third of the kernels.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from '../config.js';
import { decoderForward, decoderLogits } from '../decoder.js';
import { ModelInputError } from '../errors.js';
import { broadcast, weightedCrossEntropy } from '../ops.js';
import { type ParamGetter } from '../params.js';
import { hostCount } from './counts.js';

/** One decoder task: targets [B,T] int32 and a 0/1 loss mask [B,T]; `parallel` per row (captioning only). */
export interface LoccaTask {
  readonly targets: tf.Tensor2D;
  readonly lossMask: tf.Tensor2D;
  /** Σ lossMask, known on the host (required on GPU backends, where reading the mask back would stall). */
  readonly tokens?: number;
  readonly parallel?: readonly boolean[];
}

/**
 * Sum over rows of weight·(logsumexp(logits) − logit[target]), computing logits `chunkRows` rows at a time; `weights`
 * is the loss mask (or a mask already scaled per row).
 */
export function chunkedCrossEntropySum(
  p: ParamGetter,
  hidden: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
  chunkRows: number,
): tf.Scalar {
  const rows = hidden.shape[0];
  const sums: tf.Tensor[] = [];
  for (let start = 0; start < rows; start += chunkRows) {
    const n = Math.min(chunkRows, rows - start);
    const whole = start === 0 && n === rows;
    const logits = decoderLogits(p, whole ? hidden : tf.slice(hidden, [start, 0], [n, -1]));
    const tgt = whole ? targets : tf.slice(targets, [start], [n]);
    sums.push(weightedCrossEntropy(logits, tgt, whole ? weights : tf.slice(weights, [start], [n])));
  }
  return (sums.length === 1 ? sums[0]! : tf.addN(sums)) as tf.Scalar;
}

/** Supervised tokens of a task (the loss is normalized by it): its host count, else a read on cpu/wasm. */
export function tokenCount(task: LoccaTask): number {
  return hostCount(task.lossMask, task.tokens, 'LocCa task lossMask', 'tokens');
}

/**
 * Σ_j scales[j]·Σ_tokens mask·nll of task j, all tasks in one decoder pass over the shared image tokens; tasks must
 * have the same batch size.
 */
export function loccaWeightedLoss(
  p: ParamGetter,
  c: ModelConfig,
  tasks: readonly LoccaTask[],
  scales: readonly number[],
  imageTokens: tf.Tensor,
  imageMask?: tf.Tensor,
  chunkRows = 256,
): tf.Scalar {
  if (tasks.length === 0) return tf.scalar(0);
  const [b, t] = tasks[0]!.targets.shape;
  const bad = tasks.findIndex((task) => task.targets.shape.join() !== `${b},${t}` || task.lossMask.shape.join() !== `${b},${t}`);
  if (bad >= 0 || scales.length !== tasks.length) {
    const where = bad >= 0 ? `tasks[${bad}]` : 'scales';
    const got = bad >= 0 ? `targets [${tasks[bad]!.targets.shape.join(',')}], lossMask [${tasks[bad]!.lossMask.shape.join(',')}]` : `${scales.length} scales`;
    throw new ModelInputError('LocCa tasks must share one [B, T] shape and have one scale each', where, `[${b},${t}] and ${tasks.length} scales`, got);
  }
  const n = tasks.length;
  const repeat = (x: tf.Tensor): tf.Tensor => (n === 1 ? x : tf.reshape(broadcast(tf.expandDims(x, 0), [n, ...x.shape]), [n * b, ...x.shape.slice(1)]));
  const hidden = decoderForward(p, c, {
    targets: (n === 1 ? tasks[0]!.targets : tf.concat(tasks.map((task) => task.targets), 0)) as tf.Tensor2D,
    parallel: tasks.flatMap((task) => task.parallel ?? Array<boolean>(b).fill(false)),
    imageTokens: repeat(imageTokens),
    imageMask: imageMask ? repeat(imageMask) : undefined,
  });
  const weights = tf.concat(tasks.map((task, j) => tf.mul(task.lossMask, scales[j]!)), 0);
  return chunkedCrossEntropySum(
    p,
    tf.reshape(hidden, [n * b * t, c.text.width]) as tf.Tensor2D,
    tf.reshape(n === 1 ? tasks[0]!.targets : tf.concat(tasks.map((task) => task.targets), 0), [-1]) as tf.Tensor1D,
    tf.reshape(weights, [-1]) as tf.Tensor1D,
    chunkRows,
  );
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
  return loccaWeightedLoss(p, c, [task], [1 / Math.max(tokenCount(task), 1)], imageTokens, imageMask, chunkRows);
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
  const counts = tasks.map(tokenCount);
  const active = tasks.filter((_, j) => counts[j]! > 0);
  if (active.length === 0) return tf.scalar(0);
  const scales = counts.filter((k) => k > 0).map((k) => 1 / (Math.max(k, 1) * active.length));
  return loccaWeightedLoss(p, c, active, scales, imageTokens, imageMask, chunkRows);
}
