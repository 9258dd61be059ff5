// Backend selection: the one place in model code that knows which TensorFlow.js backend runs.
import * as tf from '@tensorflow/tfjs';
import { type NativeKernelsReport, tryRegisterNativeKernels, unregisterNativeKernels } from '../native/index.js';
import { BackendError } from './errors.js';

/** Backends sigforge knows how to start, fastest first. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  /** The backend now active in tfjs. */
  readonly name: BackendName;
  /** Why this backend was chosen (and why faster ones were not). */
  readonly reason: string;
  /** The native BLAS kernels (native/) on wasm or cpu: enabled, or why not; null on tensorflow. */
  readonly native: NativeKernelsReport | null;
}

export interface BackendOptions {
  /** Use the native kernels where the addon is built (default true; $SIGFORGE_NATIVE=0 also turns them off). */
  readonly native?: boolean;
  /** Their BLAS threads (default $SIGFORGE_NATIVE_THREADS, else OpenBLAS's own choice: all cores). */
  readonly nativeThreads?: number;
}

/** Environment variable with the native kernels' thread count. */
export const NATIVE_THREADS_ENV = 'SIGFORGE_NATIVE_THREADS';

/** Environment variable that overrides the automatic choice. */
export const BACKEND_ENV = 'SIGFORGE_BACKEND';

async function tryTensorflow(): Promise<string | null> {
  // Optional packages: their install downloads libtensorflow, so most machines do not have them.
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return pkg;
    } catch {
      // not installed or failed to load: try the next one
    }
  }
  return null;
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * Activates a backend: the preference (argument, else $SIGFORGE_BACKEND) if given, else the fastest available, with
 * the native kernels on wasm/cpu where built; `log` (e.g. the CLI's logger) is told which one and why.
 */
export async function selectBackend(
  preference?: string,
  log?: (message: string) => void,
  opts: BackendOptions = {},
): Promise<BackendChoice> {
  const { name, reason } = await choose(preference);
  const native = name === 'tensorflow' ? null : nativeKernels(name, opts);
  const choice: BackendChoice = { name, reason, native };
  const kernels = native ? `; native kernels ${native.enabled ? 'on' : 'off'}: ${native.reason}` : '';
  log?.(`tfjs backend: ${name} (${reason}${kernels})`);
  return choice;
}

function nativeKernels(name: 'wasm' | 'cpu', opts: BackendOptions): NativeKernelsReport {
  if (opts.native === false) {
    unregisterNativeKernels(name);
    return { enabled: false, reason: 'turned off by the caller', kernels: [] };
  }
  const env = process.env[NATIVE_THREADS_ENV];
  const threads = opts.nativeThreads ?? (env ? Number(env) : undefined);
  if (opts.nativeThreads === undefined && threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new BackendError(`${NATIVE_THREADS_ENV} must be a positive integer, got "${env}"`, name);
  }
  return tryRegisterNativeKernels(name, threads === undefined ? {} : { threads });
}

async function choose(preference?: string): Promise<{ name: BackendName; reason: string }> {
  const wanted = preference ?? process.env[BACKEND_ENV] ?? 'auto';
  if (wanted !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(wanted)) {
    throw new BackendError(`unknown backend "${wanted}"; valid: auto, ${BACKEND_NAMES.join(', ')}`, wanted);
  }
  const skipped: string[] = [];
  if (wanted === 'auto' || wanted === 'tensorflow') {
    const pkg = await tryTensorflow();
    if (pkg) return finish('tensorflow', `${pkg} is installed`);
    if (wanted === 'tensorflow') {
      throw new BackendError('backend "tensorflow" needs @tensorflow/tfjs-node(-gpu), which is not installed', wanted);
    }
    skipped.push('tensorflow: @tensorflow/tfjs-node(-gpu) not installed');
  }
  if (wanted === 'auto' || wanted === 'wasm') {
    if (await tryWasm()) {
      return finish('wasm', wanted === 'wasm' ? 'requested' : `fastest available (${skipped.join('; ')})`);
    }
    if (wanted === 'wasm') throw new BackendError('backend "wasm" failed to start', wanted);
    skipped.push('wasm: failed to start');
  }
  if (!(await tf.setBackend('cpu'))) throw new BackendError('backend "cpu" failed to start', wanted);
  return finish('cpu', wanted === 'cpu' ? 'requested' : `fallback (${skipped.join('; ')})`);
}

async function finish(name: BackendName, reason: string): Promise<{ name: BackendName; reason: string }> {
  await tf.ready();
  return { name, reason };
}
