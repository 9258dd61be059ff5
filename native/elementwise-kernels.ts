// Tanh, Exp and Pow (scalar exponent) kernels on the native addon: GELU's pieces, next after matmul in the train-step profile.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { broadcastShapes } from './matmul-plan.js';

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** A Tanh kernel for float32 tensors (max abs error 3e-7 vs exact tanh); other dtypes use `original`. */
export function tanhKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32' || !access.read(args.backend, x)) return original.kernelFunc(args);
    const out = access.alloc(args.backend, [...x.shape]);
    addon.tanh(access.read(args.backend, x)!, out.view());
    return out.info;
  };
  return { ...original, kernelFunc };
}

/** An Exp kernel for float32 tensors (≤ 2 ulp vs exact exp, the LocCa vocabulary softmax); other dtypes use `original`. */
export function expKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32' || !access.read(args.backend, x)) return original.kernelFunc(args);
    const out = access.alloc(args.backend, [...x.shape]);
    addon.exp(access.read(args.backend, x)!, out.view());
    return out.info;
  };
  return { ...original, kernelFunc };
}

/** A Pow kernel for float32 bases with a one-element exponent (x³ in GELU); anything else uses `original`. */
export function powKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const ok = a.dtype === 'float32' && b.dtype === 'float32' && count(b.shape) === 1;
    const bv = ok ? access.read(args.backend, b) : null;
    if (!bv || !access.read(args.backend, a)) return original.kernelFunc(args);
    const exponent = bv[0]!;
    const out = access.alloc(args.backend, broadcastShapes(a.shape, b.shape));
    addon.powScalar(access.read(args.backend, a)!, exponent, out.view());
    return out.info;
  };
  return { ...original, kernelFunc };
}
