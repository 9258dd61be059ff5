// Identity and same-dtype Cast that share the input's buffer instead of copying it (wasm only: the cpu backend already
// shares). tfjs never writes into a tensor's storage once made (variables re-point to new data on assign), and every
// native kernel writes only to fresh outputs, so sharing is safe; the wasm backend counts references (its Reshape
// shares the same way) and frees the memory when the last tensor on it goes.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function hasIncRef(backend: unknown): backend is RefCountingBackend {
  return typeof (backend as Partial<RefCountingBackend>).incRef === 'function';
}

function share(backend: RefCountingBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** An Identity kernel returning a new reference to the input's data (strings use `original`). */
export function identityKernel(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string' || !hasIncRef(args.backend)) return original.kernelFunc(args);
    return share(args.backend, x);
  };
  return { ...original, kernelFunc };
}

/** A Cast kernel that shares the input when the dtype does not change; real conversions use `original`. */
export function castKernel(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const dtype = args.attrs?.dtype;
    if (dtype !== x.dtype || x.dtype === 'string' || !hasIncRef(args.backend)) return original.kernelFunc(args);
    return share(args.backend, x);
  };
  return { ...original, kernelFunc };
}
