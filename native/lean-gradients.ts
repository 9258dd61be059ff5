// Gradients of Sum and Mean without a ones tensor. TensorFlow.js computes them as dy · ones(x.shape): a JS array of
// x's size filled with ones, uploaded to the backend, multiplied and freed on every backward pass (LayerNorm and
// bias gradients in a tiny train step: ~400 per step, and much of the GC time). Broadcasting dy gives the same values
// exactly (multiplying by one is exact) in one Tile kernel. The gradient registry is global, not per backend, so
// these stay installed while any backend has the native kernels and the originals come back with the last one.
import * as tf from '@tensorflow/tfjs';
import { type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs';

/** dy reshaped to keep x's rank (reduced axes as 1) and broadcast back to x's shape. */
function spread(dy: Tensor, x: Tensor, attrs: NamedAttrMap): { grad: Tensor; count: number } {
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  // broadcastTo cannot make an empty shape; an empty x has an empty gradient.
  if (x.size === 0) return { grad: tf.zeros(x.shape), count };
  return { grad: tf.broadcastTo(tf.reshape(dy, kept), x.shape), count };
}

const LEAN: GradConfig[] = [
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({ x: () => spread(dy as Tensor, saved[0]!, attrs).grad }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({
      x: () => {
        const { grad, count } = spread(dy as Tensor, saved[0]!, attrs);
        return tf.div(grad, count);
      },
    }),
  },
];

let originals: Map<string, GradConfig | undefined> | null = null;
let users = 0;

/** Installs the lean Sum/Mean gradients (counted: one call per backend that turns native kernels on). */
export function installLeanGradients(): void {
  users += 1;
  if (originals) return;
  originals = new Map(LEAN.map((g) => [g.kernelName, tf.getGradient(g.kernelName)]));
  for (const g of LEAN) tf.registerGradient(g);
}

/** Releases one installLeanGradients; the last release puts TensorFlow.js's own gradients back. */
export function releaseLeanGradients(): void {
  users = Math.max(0, users - 1);
  if (users > 0 || !originals) return;
  for (const [, original] of originals) if (original) tf.registerGradient(original);
  originals = null;
}
