// Transpose on the native addon: the matmul gradients transpose [512, 64]-sized tensors hundreds of times per tiny train
// step, and the wasm backend's own kernel is several times slower than a strided copy.
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
