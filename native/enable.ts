// Side-effect module: turns the native kernels on for the cpu and wasm backends of this process, e.g.
//   node --import tsx --import ./native/enable.ts --test test/model/parity.test.ts
// Threads come from $SIGFORGE_NATIVE_THREADS (default: OpenBLAS's own choice).
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { tryRegisterNativeKernels, type NativeKernelsReport } from './register.js';

const threadsEnv = process.env.SIGFORGE_NATIVE_THREADS;
const opts = threadsEnv ? { threads: Number(threadsEnv) } : {};

/** What registration reported for each backend when this module was imported. */
export const enabledReports: Readonly<Record<'cpu' | 'wasm', NativeKernelsReport>> = {
  cpu: tryRegisterNativeKernels('cpu', opts),
  wasm: tryRegisterNativeKernels('wasm', opts),
};
