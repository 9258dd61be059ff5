// Pre-LN transformer pieces shared by the towers, the MAP head and the LocCa decoder (4-D attention layout).
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS } from '../native/fused-names.js';
import { bmm, geluTanh, hasFused, layerNorm, linear, runFused, swapLast, withGrad } from './ops.js';
import { type ParamGetter } from './params.js';

/** Large negative additive bias for masked attention logits (finite, so fully masked rows stay NaN-free). */
export const MASKED = -1e9;

/** [B, T, D] → [B, H, T, D/H]. */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [b, t, d] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, hd] → [B, T, H·hd]. */
function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [b, h, t, hd] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, h * hd]);
}

/** Projections of one attention layer (already sliced from a packed in_proj where needed). */
export interface AttentionWeights {
  wq: tf.Tensor;
  bq: tf.Tensor;
  wk: tf.Tensor;
  bk: tf.Tensor;
  wv: tf.Tensor;
  bv: tf.Tensor;
  wo: tf.Tensor;
  bo: tf.Tensor;
}

/** Attention weights stored as separate q/k/v/out projections under `prefix`. */
export function attentionWeights(p: ParamGetter, prefix: string): AttentionWeights {
  return {
    wq: p(`${prefix}.q_proj.weight`),
    bq: p(`${prefix}.q_proj.bias`),
    wk: p(`${prefix}.k_proj.weight`),
    bk: p(`${prefix}.k_proj.bias`),
    wv: p(`${prefix}.v_proj.weight`),
    bv: p(`${prefix}.v_proj.bias`),
    wo: p(`${prefix}.out_proj.weight`),
    bo: p(`${prefix}.out_proj.bias`),
  };
}

/**
 * Multi-head attention of queries xq [B,Tq,Dq] over xkv [B,Tk,Dk]; `bias` is added to the logits and broadcasts to
 * [B, H, Tq, Tk] (key padding mask [B,1,1,Tk], causal mask [1,1,Tq,Tk]).
 */
export function attention(
  w: AttentionWeights,
  xq: tf.Tensor,
  xkv: tf.Tensor,
  heads: number,
  bias?: tf.Tensor,
): tf.Tensor {
  const q = linear(xq, w.wq, w.bq);
  const k = linear(xkv, w.wk, w.bk);
  const v = linear(xkv, w.wv, w.bv);
  return linear(attend(q, k, v, heads, bias), w.wo, w.bo);
}

/**
 * softmax(q·kᵀ/√(D/H) + bias)·v per head for projections q [B,Tq,D], k and v [B,Tk,D], heads merged back to
 * [B,Tq,D]. One SigforgeAttention kernel (and one gradient kernel) where registered; the bias is then a constant
 * mask, with no gradient.
 */
export function attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number, bias?: tf.Tensor): tf.Tensor {
  const scale = 1 / Math.sqrt(q.shape[2]! / heads);
  if (hasFused(FUSED_KERNELS.attention, q, k, v, ...(bias ? [bias] : []))) {
    return withGrad(
      ([qi, ki, vi], save) => {
        const [out, probs] = runFused(
          FUSED_KERNELS.attention,
          bias ? { q: qi!, k: ki!, v: vi!, bias } : { q: qi!, k: ki!, v: vi! },
          { heads, scale },
        ) as tf.Tensor[];
        save([qi!, ki!, vi!, probs!]);
        return {
          value: out!,
          gradFunc: (dy, [sq, sk, sv, sp]) =>
            runFused(
              FUSED_KERNELS.attentionGrad,
              { dy, q: sq!, k: sk!, v: sv!, probs: sp! },
              { heads, scale },
            ) as tf.Tensor[],
        };
      },
      q,
      k,
      v,
    );
  }
  let logits = tf.mul(bmm(splitHeads(q, heads), swapLast(splitHeads(k, heads))), scale);
  if (bias) logits = tf.add(logits, bias);
  return mergeHeads(bmm(tf.softmax(logits), splitHeads(v, heads)));
}

/** Dense → GELU(tanh) → Dense. */
export function mlp(p: ParamGetter, prefix: string, x: tf.Tensor): tf.Tensor {
  const h = geluTanh(linear(x, p(`${prefix}.fc1.weight`), p(`${prefix}.fc1.bias`)));
  return linear(h, p(`${prefix}.fc2.weight`), p(`${prefix}.fc2.bias`));
}

/** LayerNorm with weights `${prefix}.weight` / `${prefix}.bias`. */
export function norm(p: ParamGetter, prefix: string, x: tf.Tensor, eps: number): tf.Tensor {
  return layerNorm(x, p(`${prefix}.weight`), p(`${prefix}.bias`), eps);
}

/** One pre-LN encoder block: x + MHSA(LN(x)), then x + MLP(LN(x)). */
export function encoderBlock(
  p: ParamGetter,
  prefix: string,
  x: tf.Tensor,
  heads: number,
  eps: number,
  bias?: tf.Tensor,
): tf.Tensor {
  const h = norm(p, `${prefix}.layer_norm1`, x, eps);
  const x1 = tf.add(x, attention(attentionWeights(p, `${prefix}.self_attn`), h, h, heads, bias));
  return tf.add(x1, mlp(p, `${prefix}.mlp`, norm(p, `${prefix}.layer_norm2`, x1, eps)));
}

/** Additive key-padding bias [B,1,1,T] from a 0/1 mask [B,T]. */
export function keyPaddingBias(mask: tf.Tensor): tf.Tensor {
  const [b, t] = mask.shape as [number, number];
  return tf.reshape(tf.mul(tf.sub(1, mask), MASKED), [b, 1, 1, t]);
}

/** Additive causal bias [1,1,T,T] (position i sees positions ≤ i). */
export function causalBias(t: number): tf.Tensor {
  const vals = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) vals[i * t + j] = MASKED;
  return tf.tensor4d(vals, [1, 1, t, t]);
}
