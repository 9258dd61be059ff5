// A fused AdamW update as one tfjs kernel ("SigforgeAdamW"; "SigforgeAdamWGroup" for many parameters at once), with
// the same math in plain tf ops where it is absent.
import * as tf from '@tensorflow/tfjs';
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { NativeKernelError } from './errors.js';
import { FUSED_KERNELS } from './fused-names.js';

/** Name of the fused kernel registered by tryRegisterNativeKernels. */
export const ADAMW_KERNEL = 'SigforgeAdamW';

/**
 * Per-step constants: g' = g·clip; m' = β1·m + (1−β1)·g'; v' = β2·v + (1−β2)·g'²;
 * θ' = θ·shrink − m'/(√v' + epsHat)·stepSize (with bias corrections folded into stepSize and epsHat).
 */
export interface AdamWHyper {
  readonly beta1: number;
  readonly beta2: number;
  readonly clip: number;
  readonly shrink: number;
  readonly stepSize: number;
  readonly epsHat: number;
}

/** The SigforgeAdamW kernel on the native addon: three new outputs [θ', m', v'], inputs untouched. */
export function adamwKernel(
  addon: NativeAddon,
  access: BufferAccess,
  _original: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { theta, m, v, g } = args.inputs as Record<'theta' | 'm' | 'v' | 'g', TensorInfo>;
    const ins = [theta, m, v, g];
    const same = ins.every((t) => t.dtype === 'float32' && t.shape.join() === theta.shape.join());
    if (!same || ins.some((t) => !access.read(args.backend, t))) {
      throw new NativeKernelError(
        `${ADAMW_KERNEL} on ${backendName}: theta, m, v and g must be float32 of one shape, got ` +
          ins.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(', '),
        { shapes: ins.map((t) => t.shape) },
      );
    }
    const a = args.attrs as unknown as AdamWHyper;
    const outs = [0, 1, 2].map(() => access.alloc(args.backend, [...theta.shape]));
    const [tv, mv, vv, gv] = ins.map((t) => access.read(args.backend, t)!);
    const [t1, m1, v1] = outs.map((o) => o.view());
    addon.adamw(tv!, mv!, vv!, gv!, t1!, m1!, v1!, a.beta1, a.beta2, a.clip, a.shrink, a.stepSize, a.epsHat);
    return outs.map((o) => o.info);
  };
  return { kernelName: ADAMW_KERNEL, backendName, kernelFunc };
}

/** One AdamW step for one parameter: the native kernel when registered on the active backend, else plain tf ops. */
export function adamwUpdate(
  theta: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  h: AdamWHyper,
): { theta: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  const allFloat = [theta, m, v, g].every((t) => t.dtype === 'float32');
  if (allFloat && tf.getKernel(ADAMW_KERNEL, tf.getBackend())) {
    const attrs = { ...h } as unknown as tf.NamedAttrMap;
    const [t1, m1, v1] = tf.engine().runKernel(ADAMW_KERNEL, { theta, m, v, g }, attrs) as tf.Tensor[];
    return { theta: t1!, m: m1!, v: v1! };
  }
  return tf.tidy(() => {
    const gc = h.clip === 1 ? g : tf.mul(g, h.clip);
    const m1 = tf.add(tf.mul(m, h.beta1), tf.mul(gc, 1 - h.beta1));
    const v1 = tf.add(tf.mul(v, h.beta2), tf.mul(tf.mul(gc, gc), 1 - h.beta2));
    const dir = tf.div(m1, tf.add(tf.sqrt(v1), h.epsHat));
    const shrunk = h.shrink === 1 ? theta : tf.mul(theta, h.shrink);
    return { theta: tf.sub(shrunk, tf.mul(dir, h.stepSize)), m: m1, v: v1 };
  });
}

/** The SigforgeAdamWGroup kernel: n parameters (inputs theta<i>, m<i>, v<i>, g<i>) → [θ'…, m'…, v'…]. */
export function adamwGroupKernel(
  addon: NativeAddon,
  access: BufferAccess,
  _original: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelName = FUSED_KERNELS.adamwGroup;
  const kernelFunc: KernelFunc = (args) => {
    const inputs = args.inputs as Record<string, TensorInfo>;
    const a = args.attrs as unknown as Omit<AdamWHyper, 'shrink'> & { shrink: number[] };
    const n = a.shrink.length;
    const params = Array.from({ length: n }, (_, i) => ['theta', 'm', 'v', 'g'].map((k) => inputs[`${k}${i}`]));
    params.forEach((ins, i) => {
      const theta = ins[0];
      const ok = ins.every(
        (t) => t && t.dtype === 'float32' && t.shape.join() === theta!.shape.join() && access.read(args.backend, t),
      );
      if (!ok) {
        throw new NativeKernelError(
          `${kernelName} on ${backendName}: theta${i}, m${i}, v${i} and g${i} must be float32 of one shape, got ` +
            ins.map((t) => (t ? `${t.dtype}[${t.shape.join(',')}]` : 'nothing')).join(', '),
          { parameter: i },
        );
      }
    });
    const outs = [0, 1, 2].flatMap(() => params.map((ins) => access.alloc(args.backend, [...ins[0]!.shape])));
    const views = outs.map((o) => o.view());
    params.forEach((ins, i) => {
      const [tv, mv, vv, gv] = ins.map((t) => access.read(args.backend, t!)!);
      const s = a.shrink[i]!;
      addon.adamw(
        tv!,
        mv!,
        vv!,
        gv!,
        views[i]!,
        views[n + i]!,
        views[2 * n + i]!,
        a.beta1,
        a.beta2,
        a.clip,
        s,
        a.stepSize,
        a.epsHat,
      );
    });
    return outs.map((o) => o.info);
  };
  return { kernelName, backendName, kernelFunc };
}

/** One parameter of a grouped AdamW step: tensors and its own decay factor. */
export interface AdamWItem {
  readonly theta: tf.Tensor;
  readonly m: tf.Tensor;
  readonly v: tf.Tensor;
  readonly g: tf.Tensor;
  readonly shrink: number;
}

/**
 * AdamW steps of many parameters (shared hyperparameters but `shrink`): one SigforgeAdamWGroup kernel where it is
 * registered on the active backend, else adamwUpdate per parameter; the same values either way.
 */
export function adamwUpdateGroup(
  items: readonly AdamWItem[],
  h: Omit<AdamWHyper, 'shrink'>,
): Array<{ theta: tf.Tensor; m: tf.Tensor; v: tf.Tensor }> {
  const allFloat = items.every((it) => [it.theta, it.m, it.v, it.g].every((t) => t.dtype === 'float32'));
  if (items.length === 0 || !allFloat || !tf.getKernel(FUSED_KERNELS.adamwGroup, tf.getBackend())) {
    return items.map((it) => adamwUpdate(it.theta, it.m, it.v, it.g, { ...h, shrink: it.shrink }));
  }
  const inputs: tf.NamedTensorMap = {};
  items.forEach((it, i) =>
    Object.assign(inputs, { [`theta${i}`]: it.theta, [`m${i}`]: it.m, [`v${i}`]: it.v, [`g${i}`]: it.g }),
  );
  const attrs = { ...h, shrink: items.map((it) => it.shrink) } as unknown as tf.NamedAttrMap;
  const outs = tf.engine().runKernel(FUSED_KERNELS.adamwGroup, inputs, attrs) as tf.Tensor[];
  const n = items.length;
  return items.map((_, i) => ({ theta: outs[i]!, m: outs[n + i]!, v: outs[2 * n + i]! }));
}
