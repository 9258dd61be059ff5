// Sum over contiguous axes on the native addon (no transpose first, unlike the wasm backend's own Sum).
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** A Sum kernel for float32 inputs reduced over one contiguous run of axes; other cases use `original`. */
export function sumKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const axisAttr = args.attrs?.axis as number | number[] | null | undefined;
    const parsed = axisAttr == null ? x.shape.map((_, i) => i) : util.parseAxisParam(axisAttr, x.shape);
    const axes = [...new Set(parsed)].sort((p, q) => p - q);
    const contiguous = axes.length > 0 && axes.every((a, i) => a === axes[0]! + i);
    if (x.dtype !== 'float32' || !contiguous || !access.read(args.backend, x)) return original.kernelFunc(args);
    const first = axes[0]!;
    const last = axes[axes.length - 1]!;
    const outer = count(x.shape.slice(0, first));
    const reduce = count(x.shape.slice(first, last + 1));
    const inner = count(x.shape.slice(last + 1));
    const outShape = args.attrs?.keepDims
      ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
      : x.shape.filter((_, i) => i < first || i > last);
    const out = access.alloc(args.backend, outShape);
    addon.sumAxes(access.read(args.backend, x)!, outer, reduce, inner, out.view());
    return out.info;
  };
  return { ...original, kernelFunc };
}
