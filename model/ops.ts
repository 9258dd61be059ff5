// Differentiable primitives with gradients shaped for the wasm backend (MEASURED.md): matmul gradients use explicit
// transposes (wasm's transposed matmul runs at ~2 GFLOP/s), the embedding gradient is a scatter (gather's gradient,
// UnsortedSegmentSum, is missing on wasm), log-sigmoid is -softplus(-x) (tf.logSigmoid's gradient is wrong), and
// log-softmax is x - logSumExp(x) (LogSoftmax is missing on wasm). Where native/ registered its fused kernels on the
// active backend (native/fused-names.ts), linear, layerNorm, geluTanh and weightedCrossEntropy run one forward and one
// gradient kernel instead of their composites: the same function, far fewer tfjs kernels (whose dispatch dominates
// small models). Tolerances of the fused paths against the composites are in test/model/fused-ops.test.ts.
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS } from '../native/fused-names.js';

/** Swaps the last two axes with an explicit (materialized) transpose. */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  perm[n - 1] = n - 2;
  perm[n - 2] = n - 1;
  return tf.transpose(x, perm);
}

type Forward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** Applies `fwd` to the inputs with its own gradient function (tf.customGrad with plain types). */
export function withGrad(fwd: Forward, ...inputs: tf.Tensor[]): tf.Tensor {
  const f = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) =>
    fwd(args.slice(0, -1) as tf.Tensor[], args[args.length - 1] as tf.GradSaveFunc)) as Parameters<
    typeof tf.customGrad
  >[0]);
  return f(...inputs);
}

/** Whether the fused kernel `name` (and so its gradient kernel) is registered on the active backend. */
export function hasFused(name: string, ...inputs: tf.Tensor[]): boolean {
  return inputs.every((t) => t.dtype === 'float32') && tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Runs a fused kernel (one output or several). */
export function runFused(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
}

/** Dense layer y = x·W + b over the last axis of x (W in [in, out] layout), with transpose-free gradients. */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  if (hasFused(FUSED_KERNELS.linear, x, w, ...(b ? [b] : []))) return fusedLinear(x, w, b);
  const inDim = w.shape[0]!;
  const outDim = w.shape[1]!;
  const xShape = x.shape;
  const outShape = [...xShape.slice(0, -1), outDim];
  const fwd: Forward = ([xi, wi, bi], save) => {
    const x2 = tf.reshape(xi!, [-1, inDim]) as tf.Tensor2D;
    save([x2, wi!]);
    const y = tf.matMul(x2, wi as tf.Tensor2D);
    return {
      value: tf.reshape(bi ? tf.add(y, bi) : y, outShape),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = tf.reshape(dy, [-1, outDim]) as tf.Tensor2D;
        const grads = [tf.reshape(tf.matMul(dy2, tf.transpose(sw)), xShape), tf.matMul(tf.transpose(sx), dy2)];
        if (bi) grads.push(tf.sum(dy2, 0));
        return grads;
      },
    };
  };
  return b ? withGrad(fwd, x, w, b) : withGrad(fwd, x, w);
}

/** linear() as SigforgeLinear forward and SigforgeLinearGrad backward (x, W saved). */
function fusedLinear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const fwd: Forward = ([xi, wi, bi], save) => {
    save([xi!, wi!]);
    return {
      value: runFused(FUSED_KERNELS.linear, bi ? { x: xi!, w: wi!, bias: bi } : { x: xi!, w: wi! }) as tf.Tensor,
      gradFunc: (dy, [sx, sw]) => runFused(FUSED_KERNELS.linearGrad, { dy, x: sx!, w: sw! }, { bias: bi !== undefined }) as tf.Tensor[],
    };
  };
  return b ? withGrad(fwd, x, w, b) : withGrad(fwd, x, w);
}

/** Batched matmul a·b over the last two axes, with transpose-free gradients. */
export function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return withGrad(
    ([ai, bi], save) => {
      save([ai!, bi!]);
      return {
        value: tf.matMul(ai!, bi!),
        gradFunc: (dy, saved) => {
          const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
          let da = tf.matMul(dy, swapLast(sb));
          let db = tf.matMul(swapLast(sa), dy);
          // Broadcast operands (e.g. a shared weight) get their gradient summed over the broadcast axes.
          if (da.rank > sa.rank) da = tf.sum(da, [...Array(da.rank - sa.rank).keys()]);
          if (db.rank > sb.rank) db = tf.sum(db, [...Array(db.rank - sb.rank).keys()]);
          return [da, db];
        },
      };
    },
    a,
    b,
  );
}

/** Row lookup table[ids] whose gradient is a scatter-add into the table (no UnsortedSegmentSum). */
export function embed(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const [vocab, dim] = table.shape as [number, number];
  const outShape = [...ids.shape, dim];
  return withGrad(
    ([t, i], save) => {
      const flat = tf.reshape(i!, [-1, 1]);
      save([flat]);
      return {
        value: tf.reshape(tf.gather(t!, tf.reshape(flat, [-1])), outShape),
        // Ids get no gradient; zeros keep customGrad's one-gradient-per-input contract.
        gradFunc: (dy, saved) => [tf.scatterND(saved[0]!, tf.reshape(dy, [-1, dim]), [vocab, dim]), tf.zerosLike(i!)],
      };
    },
    table,
    ids,
  );
}

/** LayerNorm over the last axis with scale and offset. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  if (hasFused(FUSED_KERNELS.layerNorm, x, gamma, beta)) {
    return withGrad(
      ([xi, g, b], save) => {
        save([xi!, g!]);
        return {
          value: runFused(FUSED_KERNELS.layerNorm, { x: xi!, gamma: g!, beta: b! }, { eps }) as tf.Tensor,
          gradFunc: (dy, [sx, sg]) => runFused(FUSED_KERNELS.layerNormGrad, { dy, x: sx!, gamma: sg! }, { eps }) as tf.Tensor[],
        };
      },
      x,
      gamma,
      beta,
    );
  }
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** GELU with the tanh approximation (flax default, HF "gelu_pytorch_tanh"). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  if (hasFused(FUSED_KERNELS.geluTanh, x)) {
    return withGrad(([xi], save) => {
      save([xi!]);
      return {
        value: runFused(FUSED_KERNELS.geluTanh, { x: xi! }) as tf.Tensor,
        gradFunc: (dy, [sx]) => [runFused(FUSED_KERNELS.geluTanhGrad, { dy, x: sx! }) as tf.Tensor],
      };
    }, x);
  }
  // x·x·x instead of pow: Pow is several times slower than Multiply on wasm.
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(tf.mul(x, x), x))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** Numerically stable log σ(x) = −softplus(−x), with a correct gradient. */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/**
 * logSumExp over the last axis (keeping it) with gradient softmax(x)·dy; the built-in one differentiates through
 * its max and runs an Equal kernel over the whole input (slow on wasm).
 */
export function logSumExp(x: tf.Tensor): tf.Tensor {
  return withGrad(
    ([xi], save) => {
      const lse = tf.logSumExp(xi!, -1, true);
      save([xi!, lse]);
      return { value: lse, gradFunc: (dy, saved) => [tf.mul(dy, tf.exp(tf.sub(saved[0]!, saved[1]!)))] };
    },
    x,
  );
}

/** log-softmax over the last axis as x − logSumExp(x). */
export function logSoftmax(x: tf.Tensor): tf.Tensor {
  return tf.sub(x, logSumExp(x));
}

/**
 * Σ_r weights[r]·(logsumexp(logits[r]) − logits[r, targets[r]]) for logits [R, V], int32 targets [R] and weights [R]
 * (a loss mask: constant, it gets no gradient on the fused path); a target outside [0, V) contributes logsumexp only.
 */
export function weightedCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  if (targets.dtype === 'int32' && hasFused(FUSED_KERNELS.crossEntropy, logits, weights)) {
    return withGrad(([l], save) => {
      const [loss, lse] = runFused(FUSED_KERNELS.crossEntropy, { logits: l!, targets, weights }) as tf.Tensor[];
      // Targets and weights too: tensors made inside the forward pass are gone by the backward one.
      save([l!, lse!, targets, weights]);
      return {
        value: loss!,
        gradFunc: (dy, [sl, slse, st, sw]) => [
          runFused(FUSED_KERNELS.crossEntropyGrad, { dy, logits: sl!, targets: st!, weights: sw!, lse: slse! }) as tf.Tensor,
        ],
      };
    }, logits) as tf.Scalar;
  }
  const rows = logits.shape[0]!;
  const picked = tf.sum(tf.mul(logits, tf.oneHot(targets, logits.shape[1]!)), -1);
  return tf.sum(tf.mul(tf.sub(tf.reshape(logSumExp(logits), [rows]), picked), weights)) as tf.Scalar;
}

/** Broadcasts x to `shape` by adding zeros (its gradient is one sum, unlike tf.tile's slice per repetition). */
export function broadcast(x: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.add(tf.zeros(shape), x);
}

/** Row-wise L2 normalization of the last axis (ε guards zero vectors). */
export function l2Normalize(x: tf.Tensor, eps = 1e-12): tf.Tensor {
  return tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), eps * eps)));
}
