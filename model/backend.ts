// Backend selection: the one place in model code that knows which TensorFlow.js backend runs.
import * as tf from '@tensorflow/tfjs';
import { type NativeKernelsReport, tryRegisterNativeKernels, unregisterNativeKernels } from '../native/index.js';
import { BackendError } from './errors.js';
import { addNInputsPerShader, registerGroupedAddN } from './webgpu/addn.js';
import { type AdapterReport, formatAdapter, startDawn, stopDawn } from './webgpu/dawn.js';

/** Backends sigforge knows how to start, fastest first. */
export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  /** The backend now active in tfjs. */
  readonly name: BackendName;
  /** Why this backend was chosen (and why faster ones were not). */
  readonly reason: string;
  /** The native BLAS kernels (native/) on wasm or cpu: enabled, or why not; null on tensorflow and webgpu. */
  readonly native: NativeKernelsReport | null;
  /** The GPU adapter on webgpu, else null. */
  readonly adapter: AdapterReport | null;
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

/** A module that is simply absent (as opposed to present and failing to load, e.g. missing CUDA libraries). */
function notInstalled(err: unknown, pkg: string): boolean {
  const e = err as { code?: string; message?: string };
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(pkg);
}

async function tryTensorflow(): Promise<{ pkg: string } | { error: string }> {
  // Optional packages: their install downloads libtensorflow, so most machines do not have them.
  const problems: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return { pkg };
      problems.push(`${pkg} is installed but its backend failed to start`);
    } catch (err) {
      if (!notInstalled(err, pkg)) problems.push(`${pkg} is installed but failed to load: ${String((err as Error).message ?? err).split('\n')[0]}`);
    }
  }
  return { error: problems.length > 0 ? problems.join('; ') : '@tensorflow/tfjs-node(-gpu) not installed' };
}

/** Starts tfjs on Dawn; `software` allows CPU adapters (llvmpipe, lavapipe), which only an explicit request gets. */
async function tryWebgpu(software: boolean): Promise<{ adapter: AdapterReport } | { error: string }> {
  const started = await startDawn();
  if ('error' in started) return started;
  const adapter = started.report;
  if (adapter.software && !software) {
    stopDawn();
    return { error: `only a software adapter (${formatAdapter(adapter)}); ask for it with ${BACKEND_ENV}=webgpu` };
  }
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.findBackendFactory('webgpu')) throw new Error('it was released earlier in this process (releaseBackend)');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
  } catch (err) {
    stopDawn();
    const missing = notInstalled(err, '@tensorflow/tfjs-backend-webgpu');
    return { error: missing ? '@tensorflow/tfjs-backend-webgpu not installed' : `webgpu failed to start: ${(err as Error).message}` };
  }
  registerGroupedAddN(addNInputsPerShader(adapter.storageBuffersPerStage));
  return { adapter };
}

/**
 * Releases the GPU device and Dawn's navigator.gpu so the process can exit (webgpu cannot be selected again in this
 * process afterwards); a no-op on other backends.
 */
export async function releaseBackend(): Promise<void> {
  if (tf.findBackend('webgpu')) {
    if (tf.getBackend() === 'webgpu') await tf.setBackend('cpu');
    tf.removeBackend('webgpu');
  }
  stopDawn();
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
  const { name, reason, adapter } = await choose(preference);
  const native = name === 'tensorflow' || name === 'webgpu' ? null : nativeKernels(name, opts);
  const choice: BackendChoice = { name, reason, native, adapter: adapter ?? null };
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

type Chosen = { name: BackendName; reason: string; adapter?: AdapterReport };

async function choose(preference?: string): Promise<Chosen> {
  const wanted = preference ?? process.env[BACKEND_ENV] ?? 'auto';
  if (wanted !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(wanted)) {
    throw new BackendError(`unknown backend "${wanted}"; valid: auto, ${BACKEND_NAMES.join(', ')}`, wanted);
  }
  const skipped: string[] = [];
  if (wanted === 'auto' || wanted === 'tensorflow') {
    const tfn = await tryTensorflow();
    if ('pkg' in tfn) return finish('tensorflow', `${tfn.pkg} is installed`);
    if (wanted === 'tensorflow') throw new BackendError(`backend "tensorflow" is unavailable: ${tfn.error}`, wanted);
    skipped.push(`tensorflow: ${tfn.error}`);
  }
  if (wanted === 'auto' || wanted === 'webgpu') {
    const gpu = await tryWebgpu(wanted === 'webgpu');
    if ('adapter' in gpu) {
      const why = wanted === 'webgpu' ? 'requested' : `hardware GPU (${skipped.join('; ')})`;
      return { ...(await finish('webgpu', `${why}; adapter ${formatAdapter(gpu.adapter)}`)), adapter: gpu.adapter };
    }
    if (wanted === 'webgpu') throw new BackendError(`backend "webgpu" is unavailable: ${gpu.error}`, wanted);
    skipped.push(`webgpu: ${gpu.error}`);
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

async function finish(name: BackendName, reason: string): Promise<Chosen> {
  await tf.ready();
  return { name, reason };
}
