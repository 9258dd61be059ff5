// Add, Sub, Multiply and RealDiv on the native addon for float32 inputs whose broadcast is one of the layouts
// native/src/binary.cc reads directly (same shape, scalar, repeated row, held column); other broadcasts, and other
// dtypes, use the backend's own kernel. The wasm backend's broadcasting paths are 3-10x slower on these shapes.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { broadcastShapes } from './matmul-plan.js';

/** Op codes of native/src/binary.cc by tfjs kernel name. */
export const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;
export type BinaryKernelName = keyof typeof BINARY_OPS;

const FULL = 0;
const SCALAR = 1;
const ROW = 2;
const COL = 3;

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * How an input of `shape` is read for an output of `out` (its broadcast shape): [layout, n] with n the row length
 * (ROW) or the run each value is held for (COL); null when it is none of these.
 */
export function binaryLayout(shape: readonly number[], out: readonly number[]): [number, number] | null {
  const size = count(shape);
  if (size === count(out)) return [FULL, size];
  if (size === 1) return [SCALAR, 1];
  const padded = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  for (let p = 1; p < out.length; p++) {
    const head = padded.slice(0, p);
    const tail = padded.slice(p);
    if (head.every((d) => d === 1) && tail.every((d, i) => d === out[p + i])) return [ROW, size];
    if (tail.every((d) => d === 1) && head.every((d, i) => d === out[i])) return [COL, count(out.slice(p))];
  }
  return null;
}

/** A binary kernel (`name`) for float32 inputs in a layout the addon reads; anything else uses `original`. */
export function binaryKernel(name: BinaryKernelName) {
  return (addon: NativeAddon, access: BufferAccess, original: KernelConfig): KernelConfig => {
    const op = BINARY_OPS[name];
    const kernelFunc: KernelFunc = (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
      let out: number[];
      try {
        out = broadcastShapes(a.shape, b.shape);
      } catch {
        return original.kernelFunc(args); // not broadcastable: the backend's own error
      }
      const la = binaryLayout(a.shape, out);
      const lb = binaryLayout(b.shape, out);
      if (!la || !lb || !access.read(args.backend, a) || !access.read(args.backend, b)) {
        return original.kernelFunc(args);
      }
      const y = access.alloc(args.backend, out);
      const yv = y.view(); // after the allocation: the wasm heap may have moved
      addon.binary(op, access.read(args.backend, a)!, la[0], la[1], access.read(args.backend, b)!, lb[0], lb[1], yv);
      return y.info;
    };
    return { ...original, kernelFunc };
  };
}
