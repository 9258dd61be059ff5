// Names of the fused kernels native/ adds to TensorFlow.js. Model code looks them up on the active backend
// (tf.getKernel) and runs its composite tf ops where they are absent; this module imports nothing, so model code can
// use it without loading the addon.

/** Fused kernel names, one forward and one gradient kernel per op. */
export const FUSED_KERNELS = {
  /** y = LayerNorm(x)·γ + β over the last axis; attrs { eps }. */
  layerNorm: 'SigforgeLayerNorm',
  /** [dx, dγ, dβ] from (dy, x, γ); attrs { eps }. */
  layerNormGrad: 'SigforgeLayerNormGrad',
  /** GELU with the tanh approximation. */
  geluTanh: 'SigforgeGeluTanh',
  /** dx from (dy, x). */
  geluTanhGrad: 'SigforgeGeluTanhGrad',
  /** y = x·W (+ b) over the last axis of x, any rank. */
  linear: 'SigforgeLinear',
  /** [dx, dW] or [dx, dW, db] from (dy, x, W); attrs { bias }. */
  linearGrad: 'SigforgeLinearGrad',
  /** [out, probs]: multi-head softmax(q·kᵀ·scale + bias)·v on [B, T, D] projections; attrs { heads, scale }. */
  attention: 'SigforgeAttention',
  /** [dq, dk, dv] from (dy, q, k, v, probs); attrs { heads, scale }. */
  attentionGrad: 'SigforgeAttentionGrad',
  /** [loss, lse]: Σ_r w_r·(logsumexp(logits_r) − logits_r[t_r]) over rows. */
  crossEntropy: 'SigforgeCrossEntropy',
  /** dlogits from (dy, logits, targets, weights, lse). */
  crossEntropyGrad: 'SigforgeCrossEntropyGrad',
  /** Σ x² over every input tensor (the global gradient norm's square), a float32 scalar. */
  sumSquares: 'SigforgeSumSquares',
  /** One AdamW update of many parameters: [θ'…, m'…, v'…]; attrs as SigforgeAdamW plus shrink per parameter. */
  adamwGroup: 'SigforgeAdamWGroup',
} as const;
