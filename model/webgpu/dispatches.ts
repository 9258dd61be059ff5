// Counts the GPU programs (shader dispatches) tfjs's webgpu backend runs: on a GPU the cost of a small model's step is
// mostly dispatches, not arithmetic, so this is the figure fusion has to bring down.
import * as tf from '@tensorflow/tfjs';

interface ProgramRunner {
  runWebGPUProgram: (...args: unknown[]) => unknown;
}

/** Runs `fn` and returns how many webgpu programs it dispatched (0 on any other backend). */
export async function countDispatches(fn: () => unknown): Promise<number> {
  if (tf.getBackend() !== 'webgpu') {
    await fn();
    return 0;
  }
  const backend = tf.backend() as unknown as ProgramRunner;
  const original = backend.runWebGPUProgram;
  let n = 0;
  backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    backend.runWebGPUProgram = original;
  }
  return n;
}
