// Zero-copy access to a tfjs backend's tensor storage: TypedArrays on `cpu`, views of the heap on `wasm`.
import { type TensorInfo } from '@tensorflow/tfjs';

/** Reads inputs and allocates outputs of one backend as Float32Array views over its own memory. */
export interface BufferAccess {
  /** A view of a float32 tensor's values (no copy); null when the backend holds it in another form. */
  read(backend: unknown, t: TensorInfo): Float32Array | null;
  /** A view of an int32 tensor's values (no copy); null when the backend holds it in another form. */
  readInt32(backend: unknown, t: TensorInfo): Int32Array | null;
  /** Allocates a float32 output; `view()` must be called after the last allocation (the wasm heap may move). */
  alloc(backend: unknown, shape: number[]): { info: TensorInfo; view: () => Float32Array };
}

interface CpuBackendLike {
  data: { get(id: unknown): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

const cpu: BufferAccess = {
  read(backend, t) {
    const values = (backend as CpuBackendLike).data.get(t.dataId)?.values;
    return values instanceof Float32Array ? values : null;
  },
  readInt32(backend, t) {
    const values = (backend as CpuBackendLike).data.get(t.dataId)?.values;
    return values instanceof Int32Array ? values : null;
  },
  alloc(backend, shape) {
    const values = new Float32Array(count(shape));
    const info = (backend as CpuBackendLike).makeTensorInfo(shape, 'float32', values);
    return { info, view: () => values };
  },
};

const wasm: BufferAccess = {
  read(backend, t) {
    const view = (backend as WasmBackendLike).typedArrayFromHeap(t);
    return view instanceof Float32Array ? view : null;
  },
  readInt32(backend, t) {
    const view = (backend as WasmBackendLike).typedArrayFromHeap(t);
    return view instanceof Int32Array ? view : null;
  },
  alloc(backend, shape) {
    const b = backend as WasmBackendLike;
    const info = b.makeOutput(shape, 'float32');
    return { info, view: () => b.typedArrayFromHeap(info) as Float32Array };
  },
};

/** Buffer access for each backend the native kernels can extend. */
export const BUFFER_ACCESS = { cpu, wasm } as const;
export type NativeBackendName = keyof typeof BUFFER_ACCESS;
