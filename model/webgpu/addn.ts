// AddN on webgpu in groups: tfjs's AddN binds every input as a storage buffer in one shader, and a shader with more
// storage buffers than the device allows is silently wrong (returns 0, stale values or NaN). Concat splits its inputs;
// AddN does not, so this kernel sums at most `perShader` inputs at a time (then the partial sums, likewise).
import * as tf from '@tensorflow/tfjs';
import { type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

/** Inputs one AddN shader may take on a device with `storageBuffers` per stage (one more is the output). */
export function addNInputsPerShader(storageBuffers: number): number {
  return Math.max(2, Math.min(storageBuffers, 8) - 1);
}

interface DisposingBackend {
  disposeData(dataId: object): unknown;
}

/**
 * Replaces webgpu's AddN with one that splits its inputs into groups of at most `perShader`; idempotent. The original
 * kernel does the arithmetic, so results equal an unsplit sum up to the order of float additions.
 */
export function registerGroupedAddN(perShader: number): void {
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original || (original as KernelConfig & { grouped?: boolean }).grouped) return;
  const inner = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as unknown as DisposingBackend;
    let level = args.inputs as unknown as TensorInfo[];
    let owned = false;
    while (level.length > perShader) {
      const next: TensorInfo[] = [];
      for (let i = 0; i < level.length; i += perShader) {
        const group = level.slice(i, i + perShader);
        next.push(
          group.length === 1
            ? group[0]!
            : (inner({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap }) as TensorInfo),
        );
      }
      if (owned) for (const t of level) if (!next.includes(t)) backend.disposeData(t.dataId);
      level = next;
      owned = true;
    }
    const out = inner({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
    if (owned) for (const t of level) backend.disposeData(t.dataId);
    return out;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...original, kernelFunc, grouped: true } as KernelConfig);
}
