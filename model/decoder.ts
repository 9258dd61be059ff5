// LocCa decoder (recipe §3): pre-LN transformer decoder blocks (self-attention, cross-attention over the un-pooled
// image tokens, MLP), half the text depth, text-tower width; token embedding tied to the output projection.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { broadcast, embed, linear } from './ops.js';
import { type ParamSpec, type ParamGetter } from './params.js';
import { MASKED, attention, attentionWeights, keyPaddingBias, mlp, norm } from './transformer.js';

const P = 'locca';

/** Parameter shapes of the decoder (not part of HF checkpoints; names under "locca."). */
export function decoderSpecs(c: ModelConfig): Map<string, ParamSpec> {
  const out = new Map<string, ParamSpec>();
  const d = c.text.width;
  const dv = c.vision.width;
  const m = c.text.mlpDim;
  out.set(`${P}.token_embedding.weight`, { shape: [c.text.vocabSize, d], init: 'embed' });
  out.set(`${P}.position_embedding.weight`, { shape: [c.text.maxLength, d], init: 'posemb' });
  out.set(`${P}.bos`, { shape: [1, 1, d], init: 'posemb' });
  out.set(`${P}.mask_token`, { shape: [1, 1, d], init: 'posemb' });
  out.set(`${P}.output_bias`, { shape: [c.text.vocabSize], init: 'zeros' });
  for (let i = 0; i < c.decoderDepth; i++) {
    const l = `${P}.layers.${i}`;
    for (const ln of ['layer_norm1', 'layer_norm2', 'layer_norm3']) {
      out.set(`${l}.${ln}.weight`, { shape: [d], init: 'ones' });
      out.set(`${l}.${ln}.bias`, { shape: [d], init: 'zeros' });
    }
    for (const [attn, kvIn] of [['self_attn', d], ['cross_attn', dv]] as const) {
      out.set(`${l}.${attn}.q_proj.weight`, { shape: [d, d], init: 'xavier' });
      out.set(`${l}.${attn}.k_proj.weight`, { shape: [kvIn, d], init: 'xavier' });
      out.set(`${l}.${attn}.v_proj.weight`, { shape: [kvIn, d], init: 'xavier' });
      out.set(`${l}.${attn}.out_proj.weight`, { shape: [d, d], init: 'xavier' });
      for (const p of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) out.set(`${l}.${attn}.${p}.bias`, { shape: [d], init: 'zeros' });
    }
    out.set(`${l}.mlp.fc1.weight`, { shape: [d, m], init: 'xavier' });
    out.set(`${l}.mlp.fc1.bias`, { shape: [m], init: 'tiny' });
    out.set(`${l}.mlp.fc2.weight`, { shape: [m, d], init: 'xavier' });
    out.set(`${l}.mlp.fc2.bias`, { shape: [d], init: 'tiny' });
  }
  out.set(`${P}.final_layer_norm.weight`, { shape: [d], init: 'ones' });
  out.set(`${P}.final_layer_norm.bias`, { shape: [d], init: 'zeros' });
  return out;
}

export interface DecoderInput {
  /** Target token ids [B, T] (int32). */
  readonly targets: tf.Tensor2D;
  /** Per row: true = parallel prediction (all-[MASK] input, no causal mask), false = autoregressive. */
  readonly parallel: readonly boolean[];
  /** Un-pooled image tokens [B, N, Dv]. */
  readonly imageTokens: tf.Tensor;
  /** Optional image-token mask [B, N] (NaFlex padding). */
  readonly imageMask?: tf.Tensor;
}

/** Decoder hidden states [B, T, D] after the final LayerNorm. */
export function decoderForward(p: ParamGetter, c: ModelConfig, input: DecoderInput): tf.Tensor {
  const [b, t] = input.targets.shape;
  const par = tf.tensor3d(input.parallel.map((x) => (x ? 1 : 0)), [b, 1, 1]);
  // AR input: [BOS, y_0 … y_{T−2}] (targets shifted right); parallel input: the mask token everywhere.
  const shifted = tf.slice(input.targets, [0, 0], [b, t - 1]);
  const d = c.text.width;
  const ar = tf.concat([broadcast(p(`${P}.bos`), [b, 1, d]), embed(p(`${P}.token_embedding.weight`), shifted)], 1);
  const mask = broadcast(p(`${P}.mask_token`), [b, t, d]);
  let x = tf.add(tf.add(tf.mul(ar, tf.sub(1, par)), tf.mul(mask, par)), p(`${P}.position_embedding.weight`));
  // Per-row self-attention bias [B,1,T,T]: causal for AR rows, none for parallel rows.
  const causal = new Float32Array(b * t * t);
  input.parallel.forEach((isPar, r) => {
    if (isPar) return;
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) causal[(r * t + i) * t + j] = MASKED;
  });
  const selfBias = tf.tensor4d(causal, [b, 1, t, t]);
  const crossBias = input.imageMask ? keyPaddingBias(input.imageMask) : undefined;
  const eps = c.layerNormEps;
  for (let i = 0; i < c.decoderDepth; i++) {
    const l = `${P}.layers.${i}`;
    const h = norm(p, `${l}.layer_norm1`, x, eps);
    x = tf.add(x, attention(attentionWeights(p, `${l}.self_attn`), h, h, c.text.heads, selfBias));
    const h2 = norm(p, `${l}.layer_norm2`, x, eps);
    x = tf.add(x, attention(attentionWeights(p, `${l}.cross_attn`), h2, input.imageTokens, c.text.heads, crossBias));
    x = tf.add(x, mlp(p, `${l}.mlp`, norm(p, `${l}.layer_norm3`, x, eps)));
  }
  return norm(p, `${P}.final_layer_norm`, x, eps);
}

/** Vocabulary logits for hidden states [R, D] (tied embedding + bias). */
export function decoderLogits(p: ParamGetter, hidden: tf.Tensor): tf.Tensor {
  return linear(hidden, tf.transpose(p(`${P}.token_embedding.weight`)), p(`${P}.output_bias`));
}
