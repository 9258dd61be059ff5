// Sigmoid image–text loss (recipe §2): L = (1/n) Σ_ij softplus(−z_ij·(t·zimg_i·ztxt_j + b)), z = +1 on the diagonal.
import * as tf from '@tensorflow/tfjs';
import { ModelInputError } from '../errors.js';
import { linear } from '../ops.js';

/** Block of logits t·A·Bᵀ + b with the transpose-free matmul gradient. */
function blockLogits(a: tf.Tensor, b: tf.Tensor, logitScale: tf.Tensor, logitBias: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(linear(a, tf.transpose(b)), tf.exp(logitScale)), logitBias);
}

/** Sum of softplus(−z·logits) over a block; `positives` puts +1 labels on the block's diagonal. */
function blockSum(logits: tf.Tensor, positives: boolean): tf.Tensor {
  const n = logits.shape[0]!;
  const z = positives ? tf.sub(tf.mul(tf.eye(n, logits.shape[1]), 2), 1) : tf.scalar(-1);
  return tf.sum(tf.softplus(tf.neg(tf.mul(z, logits))));
}

/** Full sigmoid loss of L2-normalized embeddings zimg, ztxt [n, E], with log-temperature t′ and bias b. */
export function sigmoidLoss(zimg: tf.Tensor, ztxt: tf.Tensor, logitScale: tf.Tensor, logitBias: tf.Tensor): tf.Scalar {
  if (zimg.shape[0] !== ztxt.shape[0]) {
    throw new ModelInputError('image and text batches differ', 'ztxt', `[${zimg.shape[0]}, E]`, `[${ztxt.shape.join(',')}]`);
  }
  return tf.div(blockSum(blockLogits(zimg, ztxt, logitScale, logitBias), true), zimg.shape[0]!) as tf.Scalar;
}

/**
 * The same loss computed as on `chunks` devices with a ring of text-embedding permutes (SigLIP §3.3): each chunk of
 * images meets its own texts (diagonal positives) and then every other chunk's texts (all negatives).
 */
export function chunkedSigmoidLoss(
  zimg: tf.Tensor,
  ztxt: tf.Tensor,
  logitScale: tf.Tensor,
  logitBias: tf.Tensor,
  chunks: number,
): tf.Scalar {
  const n = zimg.shape[0]!;
  if (!Number.isInteger(chunks) || chunks < 1 || n % chunks !== 0) {
    throw new ModelInputError('chunk count must divide the batch', 'chunks', `a divisor of ${n}`, String(chunks));
  }
  const imgs = tf.split(zimg, chunks);
  const txts = tf.split(ztxt, chunks);
  let total: tf.Tensor = tf.scalar(0);
  for (let d = 0; d < chunks; d++) {
    for (let k = 0; k < chunks; k++) {
      const j = (d + k) % chunks; // text chunk held by device d after k ring steps
      total = tf.add(total, blockSum(blockLogits(imgs[d]!, txts[j]!, logitScale, logitBias), k === 0));
    }
  }
  return tf.div(total, n) as tf.Scalar;
}
