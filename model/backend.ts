// Backend selection: the one place in model code that knows which TensorFlow.js backend runs.
import * as tf from '@tensorflow/tfjs';
import { BackendError } from './errors.js';

/** Backends sigforge knows how to start, fastest first. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  /** The backend now active in tfjs. */
  readonly name: BackendName;
  /** Why this backend was chosen (and why faster ones were not). */
  readonly reason: string;
}

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
 * Activates a backend: the preference (argument, else $SIGFORGE_BACKEND) if given, else the fastest available;
 * `log` (e.g. the CLI's logger) is told which one and why.
 */
export async function selectBackend(preference?: string, log?: (message: string) => void): Promise<BackendChoice> {
  const choice = await choose(preference);
  log?.(`tfjs backend: ${choice.name} (${choice.reason})`);
  return choice;
}

async function choose(preference?: string): Promise<BackendChoice> {
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

async function finish(name: BackendName, reason: string): Promise<BackendChoice> {
  await tf.ready();
  return { name, reason };
}
