// A training step's numbers (losses, gradient norm) left on the device until someone reads them: on a GPU a read is a
// stall, so the trainer reads many steps at once, asynchronously, once per logging interval.
import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors.js';

/** Backends whose tensors live in host memory: a synchronous read there costs nothing and stalls nothing. */
export function hostResidentBackend(name = tf.getBackend()): boolean {
  return name === 'cpu' || name === 'wasm';
}

/** Scalars still on the device and how to turn their values into the result (host float64 arithmetic). */
export interface Pending<T> {
  /** Scalars owned by this object (released by the read). */
  readonly tensors: readonly tf.Tensor[];
  readonly finish: (values: readonly number[]) => T;
}

/** A value already known on the host, as a Pending. */
export function settled<T>(value: T): Pending<T> {
  return { tensors: [], finish: () => value };
}

/** Reads every pending result with one device read (`await data()`), then releases their tensors. */
export async function readAll<T>(pending: readonly Pending<T>[]): Promise<T[]> {
  const all = pending.flatMap((p) => p.tensors);
  let values: ArrayLike<number> = [];
  if (all.length > 0) {
    const flat = tf.tidy(() =>
      tf.concat(
        all.map((t) => tf.reshape(t, [-1])),
        0,
      ),
    );
    values = await flat.data();
    flat.dispose();
  }
  return splitValues(pending, values);
}

/** The same on a host-resident backend without awaiting (cpu, wasm); throws on a GPU backend. */
export function readAllSync<T>(pending: readonly Pending<T>[]): T[] {
  const backend = tf.getBackend();
  if (!hostResidentBackend(backend)) {
    throw new ModelError(
      `a synchronous read is not possible on backend "${backend}": use the asynchronous step (trainStepDeferred + readAll)`,
    );
  }
  const values = pending.flatMap((p) => p.tensors.map((t) => t.dataSync()[0]!));
  return splitValues(pending, values);
}

function splitValues<T>(pending: readonly Pending<T>[], values: ArrayLike<number>): T[] {
  let at = 0;
  const out = pending.map((p) => {
    const mine = Array.from({ length: p.tensors.length }, (_, i) => values[at + i]!);
    at += p.tensors.length;
    return p.finish(mine);
  });
  tf.dispose(pending.flatMap((p) => p.tensors));
  return out;
}
