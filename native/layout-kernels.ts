// Transpose, Tile and GatherV2 on the native addon: the matmul gradients transpose [512, 64]-sized tensors hundreds of times per
// tiny train step, and Sum/Mean gradients broadcast with Tile (lean-gradients.ts); the wasm backend's own kernels are
// several (Transpose) to a hundred (Tile) times slower than a strided copy.
import { type KernelConfig, type KernelFunc, type TensorInfo, slice_util, util } from '@tensorflow/tfjs';
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

/** A GatherV2 kernel for float32 values and int32 indices without batch dims; an index out of range or anything else uses `original` (and its error). */
export function gatherKernel(addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const batchDims = (args.attrs?.batchDims as number | undefined) ?? 0;
    if (x.dtype !== 'float32' || indices.dtype !== 'int32' || batchDims !== 0 || x.shape.length === 0) {
      return original.kernelFunc(args);
    }
    const axis = util.parseAxisParam(args.attrs?.axis as number, x.shape)[0]!;
    const ids = access.readInt32(args.backend, indices);
    if (!ids || !access.read(args.backend, x)) return original.kernelFunc(args);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const out = access.alloc(args.backend, outShape);
    const yv = out.view();
    const bad = addon.gather(
      access.read(args.backend, x)!,
      outer,
      x.shape[axis]!,
      inner,
      access.readInt32(args.backend, indices)!,
      yv,
    );
    if (bad < 0) return out.info;
    (args.backend as { disposeData(id: object): void }).disposeData(out.info.dataId);
    return original.kernelFunc(args); // throws the backend's own out-of-range error
  };
  return { ...original, kernelFunc };
}

/**
 * A Slice kernel for float32 tensors that copies only the selected rows out of the backend's memory (the wasm
 * backend's own reads the whole input first: a heap copy of all of it per call); other dtypes use `original`.
 */
export function sliceKernel(_addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32' || x.shape.length === 0 || !access.read(args.backend, x))
      return original.kernelFunc(args);
    const [begin, size] = slice_util.parseSliceParams(
      x as unknown as Parameters<typeof slice_util.parseSliceParams>[0],
      args.attrs!.begin as number[],
      args.attrs!.size as number[],
    ) as [number[], number[]];
    const out = access.alloc(args.backend, size);
    const y = out.view();
    const xv = access.read(args.backend, x)!;
    const rank = x.shape.length;
    const strides = util.computeStrides(x.shape);
    const row = size[rank - 1]!;
    const rows = size.slice(0, -1).reduce((p, d) => p * d, 1);
    // Walk the output's rows in order; each is one contiguous run of the input.
    const idx = new Array<number>(Math.max(0, rank - 1)).fill(0);
    for (let r = 0; r < rows && row > 0; r++) {
      let offset = begin[rank - 1]!;
      for (let a = 0; a < rank - 1; a++) offset += (begin[a]! + idx[a]!) * strides[a]!;
      y.set(xv.subarray(offset, offset + row), r * row);
      for (let a = rank - 2; a >= 0; a--) {
        if (++idx[a]! < size[a]!) break;
        idx[a] = 0;
      }
    }
    return out.info;
  };
  return { ...original, kernelFunc };
}
