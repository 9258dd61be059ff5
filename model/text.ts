// Text tower: token + learned position embedding, bidirectional pre-LN encoder, final LN, last-token pooling and a
// dense head (recipe §1.3; the released checkpoints pool position maxLength−1).
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { ModelInputError } from './errors.js';
import { embed, linear } from './ops.js';
import { type ParamGetter } from './params.js';
import { encoderBlock, norm } from './transformer.js';

export interface TextOutput {
  /** Encoder output after the final LayerNorm [B, T, D]. */
  readonly tokens: tf.Tensor;
  /** Head output for the last position [B, embedDim]: the text embedding before normalization. */
  readonly pooled: tf.Tensor;
}

/** Runs the text tower on token ids [B, T] (int32, 1 ≤ T ≤ maxLength, ids < vocabSize); pools position T−1 like HF. */
export function textTower(p: ParamGetter, c: ModelConfig, ids: tf.Tensor2D): TextOutput {
  const t = c.text;
  const [b, len] = ids.shape;
  if (len < 1 || len > t.maxLength || ids.dtype !== 'int32') {
    throw new ModelInputError('token ids have the wrong shape or dtype', 'ids', `int32 [B,1..${t.maxLength}]`, `${ids.dtype} [${ids.shape.join(',')}]`);
  }
  const pos = p('text_model.embeddings.position_embedding.weight');
  // HF slices position_ids[:, :T]: a shorter sequence uses the first T learned positions.
  const posT = len === t.maxLength ? pos : tf.slice(pos, [0, 0], [len, t.width]);
  let x = tf.add(embed(p('text_model.embeddings.token_embedding.weight'), ids), posT);
  const eps = t.layerNormEps ?? c.layerNormEps;
  for (let i = 0; i < t.depth; i++) x = encoderBlock(p, `text_model.encoder.layers.${i}`, x, t.heads, eps);
  const tokens = norm(p, 'text_model.final_layer_norm', x, eps);
  const last = tf.reshape(tf.slice(tokens, [0, len - 1, 0], [b, 1, t.width]), [b, t.width]);
  return { tokens, pooled: linear(last, p('text_model.head.weight'), p('text_model.head.bias')) };
}
