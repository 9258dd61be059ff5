// Fused LayerNorm, GELU(tanh) and dense-layer kernels, forward and gradient (names in fused-names.ts): each replaces
// a dozen or more tfjs kernels of the composite ops, whose dispatch dominates small models' train steps.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { FUSED_KERNELS } from './fused-names.js';
import { KernelIO, count } from './kernel-io.js';

type Make = (
  addon: NativeAddon,
  access: BufferAccess,
  original: KernelConfig | undefined,
  backend: string,
) => KernelConfig;

function config(
  kernelName: string,
  backendName: string,
  run: (io: KernelIO, args: Parameters<KernelFunc>[0]) => TensorInfo | TensorInfo[],
  access: BufferAccess,
): KernelConfig {
  const kernelFunc: KernelFunc = (args) =>
    run(new KernelIO(access, args.backend, `${kernelName} on ${backendName}`), args);
  return { kernelName, backendName, kernelFunc };
}

/** Rows and width of x viewed as [rows, d] over its last axis, checking γ (and β) are [d]. */
function normDims(io: KernelIO, x: TensorInfo, gamma: TensorInfo, beta?: TensorInfo): [number, number] {
  const d = x.shape[x.shape.length - 1] ?? 1;
  if (x.shape.length === 0 || gamma.shape.join() !== String(d) || (beta && beta.shape.join() !== String(d))) {
    io.shapeError('gamma and beta must be [d] for x [..., d]', {
      x: x.shape,
      gamma: gamma.shape,
      ...(beta ? { beta: beta.shape } : {}),
    });
  }
  return [count(x.shape) / d, d];
}

/** SigforgeLayerNorm: y = (x − mean)·rsqrt(var + eps)·γ + β over the last axis. */
export const layerNormKernel: Make = (addon, access, _o, backend) =>
  config(
    FUSED_KERNELS.layerNorm,
    backend,
    (io, { inputs, attrs }) => {
      const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', TensorInfo>;
      for (const [n, t] of Object.entries({ x, gamma, beta })) io.check(n, t);
      const [rows, d] = normDims(io, x, gamma, beta);
      const out = io.alloc([[...x.shape]]);
      addon.layerNorm(io.f32(x), io.f32(gamma), io.f32(beta), rows, d, Number(attrs!.eps), out.views()[0]!);
      return out.infos[0]!;
    },
    access,
  );

/** SigforgeLayerNormGrad: [dx, dγ, dβ] of LayerNorm in one pass (statistics recomputed from x). */
export const layerNormGradKernel: Make = (addon, access, _o, backend) =>
  config(
    FUSED_KERNELS.layerNormGrad,
    backend,
    (io, { inputs, attrs }) => {
      const { dy, x, gamma } = inputs as Record<'dy' | 'x' | 'gamma', TensorInfo>;
      for (const [n, t] of Object.entries({ dy, x, gamma })) io.check(n, t);
      const [rows, d] = normDims(io, x, gamma);
      if (dy.shape.join() !== x.shape.join())
        io.shapeError('dy must have the shape of x', { dy: dy.shape, x: x.shape });
      const out = io.alloc([[...x.shape], [d], [d]]);
      const [dx, dg, db] = out.views();
      addon.layerNormGrad(io.f32(dy), io.f32(x), io.f32(gamma), rows, d, Number(attrs!.eps), dx!, dg!, db!);
      return out.infos;
    },
    access,
  );

/** SigforgeGeluTanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export const geluTanhKernel: Make = (addon, access, _o, backend) =>
  config(
    FUSED_KERNELS.geluTanh,
    backend,
    (io, { inputs }) => {
      const { x } = inputs as { x: TensorInfo };
      io.check('x', x);
      const out = io.alloc([[...x.shape]]);
      addon.geluTanh(io.f32(x), out.views()[0]!);
      return out.infos[0]!;
    },
    access,
  );

/** SigforgeGeluTanhGrad: dy·GELU'(x). */
export const geluTanhGradKernel: Make = (addon, access, _o, backend) =>
  config(
    FUSED_KERNELS.geluTanhGrad,
    backend,
    (io, { inputs }) => {
      const { dy, x } = inputs as Record<'dy' | 'x', TensorInfo>;
      io.check('dy', dy);
      io.check('x', x);
      if (dy.shape.join() !== x.shape.join())
        io.shapeError('dy must have the shape of x', { dy: dy.shape, x: x.shape });
      const out = io.alloc([[...x.shape]]);
      addon.geluTanhGrad(io.f32(dy), io.f32(x), out.views()[0]!);
      return out.infos[0]!;
    },
    access,
  );

/** [m, k, n] of x [..., k] · W [k, n]. */
function linearDims(io: KernelIO, x: TensorInfo, w: TensorInfo): [number, number, number] {
  const k = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || w.shape.length !== 2 || w.shape[0] !== k) {
    io.shapeError('W must be [k, n] for x [..., k]', { x: x.shape, w: w.shape });
  }
  return [count(x.shape) / k!, k!, w.shape[1]!];
}

/** SigforgeLinear: y = x·W (+ b) over the last axis of x, y of shape [..., n]. */
export const linearKernel: Make = (addon, access, _o, backend) =>
  config(
    FUSED_KERNELS.linear,
    backend,
    (io, { inputs }) => {
      const { x, w, bias } = inputs as { x: TensorInfo; w: TensorInfo; bias?: TensorInfo };
      io.check('x', x);
      io.check('w', w);
      if (bias) io.check('bias', bias);
      const [m, k, n] = linearDims(io, x, w);
      if (bias && bias.shape.join() !== String(n))
        io.shapeError('bias must be [n] for W [k, n]', { w: w.shape, bias: bias.shape });
      const out = io.alloc([[...x.shape.slice(0, -1), n]]);
      addon.linear(io.f32(x), io.f32(w), bias ? io.f32(bias) : null, m, k, n, out.views()[0]!);
      return out.infos[0]!;
    },
    access,
  );

/** SigforgeLinearGrad: [dx, dW] (and db when attrs.bias) of the dense layer in one call. */
export const linearGradKernel: Make = (addon, access, _o, backend) =>
  config(
    FUSED_KERNELS.linearGrad,
    backend,
    (io, { inputs, attrs }) => {
      const { dy, x, w } = inputs as Record<'dy' | 'x' | 'w', TensorInfo>;
      for (const [name, t] of Object.entries({ dy, x, w })) io.check(name, t);
      const [m, k, n] = linearDims(io, x, w);
      if (dy.shape.join() !== [...x.shape.slice(0, -1), n].join())
        io.shapeError('dy must be [..., n]', { dy: dy.shape, x: x.shape, w: w.shape });
      const withBias = Boolean(attrs?.bias);
      const out = io.alloc(withBias ? [[...x.shape], [k, n], [n]] : [[...x.shape], [k, n]]);
      const [dx, dw, db] = out.views();
      addon.linearGrad(io.f32(dy), io.f32(x), io.f32(w), m, k, n, dx!, dw!, db ?? null);
      return out.infos;
    },
    access,
  );
