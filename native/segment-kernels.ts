// UnsortedSegmentSum on the native addon: gather's gradient (every embedding lookup), one pass over the rows.
// The cpu backend's own kernel loops once per segment (hopeless for a 256k vocabulary); wasm has none at all.
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { type NativeAddon } from './addon.js';
import { type BufferAccess } from './backend-buffers.js';
import { NativeKernelError } from './errors.js';

/** An UnsortedSegmentSum kernel for float32 data and int32 ids; `original` (if the backend has one) otherwise. */
export function segmentSumKernel(
  addon: NativeAddon,
  access: BufferAccess,
  original: KernelConfig | undefined,
  backendName: string,
): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = Number(args.attrs?.numSegments);
    const prefixMatches = segmentIds.shape.every((d, i) => d === x.shape[i]);
    const readable =
      prefixMatches &&
      Number.isInteger(numSegments) &&
      numSegments >= 0 &&
      x.dtype === 'float32' &&
      segmentIds.dtype === 'int32' &&
      access.read(args.backend, x) !== null &&
      access.readInt32(args.backend, segmentIds) !== null;
    if (!readable) {
      if (original) return original.kernelFunc(args);
      throw new NativeKernelError(
        `UnsortedSegmentSum on ${backendName}: needs float32 x [${x.shape.join(',')}] whose leading dims are int32 ` +
          `segmentIds [${segmentIds.shape.join(',')}] and an integer numSegments ≥ 0; got ${x.dtype}, ${segmentIds.dtype}, ${numSegments}`,
        { x: x.shape, segmentIds: segmentIds.shape, numSegments },
      );
    }
    const out = access.alloc(args.backend, [numSegments, ...x.shape.slice(segmentIds.shape.length)]);
    const ov = out.view();
    addon.segmentSum(access.read(args.backend, x)!, access.readInt32(args.backend, segmentIds)!, numSegments, ov);
    return out.info;
  };
  return { ...(original ?? {}), kernelName: 'UnsortedSegmentSum', backendName, kernelFunc };
}
