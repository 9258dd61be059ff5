// Transpose and Tile on the native addon: the matmul gradients transpose [512, 64]-sized tensors hundreds of times per
// tiny train step, and Sum/Mean gradients broadcast with Tile (lean-gradients.ts); the wasm backend's own kernels are
// several (Transpose) to a hundred (Tile) times slower than a strided copy.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';

/** A Transpose kernel for float32 tensors of any rank; other dtypes use `original`. */
export function transposeKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const perm = (args.attrs?.perm as number[] | undefined) ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    if (x.dtype !== 'float32' || perm.length !== x.shape.length || !access.read(args.backend, x)) {
      return original.kernelFunc(args);
    }
    const out = access.alloc(
      args.backend,
      perm.map((p) => x.shape[p]!),
    );
    addon.transpose(access.read(args.backend, x)!, Int32Array.from(x.shape), Int32Array.from(perm), out.view());
    return out.info;
  };
  return { ...original, kernelFunc };
}

/** A Tile kernel for float32 tensors (broadcastTo); other dtypes use `original`. */
export function tileKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const reps = args.attrs?.reps as number[] | undefined;
    if (x.dtype !== 'float32' || !reps || reps.length !== x.shape.length || x.shape.length === 0) {
      return original.kernelFunc(args);
    }
    if (!access.read(args.backend, x)) return original.kernelFunc(args);
    const out = access.alloc(
      args.backend,
      x.shape.map((d, i) => d * reps[i]!),
    );
    addon.tile(access.read(args.backend, x)!, Int32Array.from(x.shape), Int32Array.from(reps), out.view());
    return out.info;
  };
  return { ...original, kernelFunc };
}
