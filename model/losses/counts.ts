// Counts that normalize a loss (supervised tokens, masked patches) as host numbers: given by the batch builder, which
// has the masks on the host, or read back where that is free (cpu, wasm). On a GPU a read would stall every step.
import * as tf from '@tensorflow/tfjs';
import { ModelInputError } from '../errors.js';
import { hostResidentBackend } from '../step-metrics.js';

/** Σ mask: `known` when given, else a synchronous read on cpu/wasm; on a GPU backend a missing count is an error. */
export function hostCount(mask: tf.Tensor, known: number | undefined, what: string, field: string): number {
  if (known !== undefined) return known;
  const backend = tf.getBackend();
  if (!hostResidentBackend(backend)) {
    throw new ModelInputError(
      `on backend "${backend}" the batch must carry its count (a read of the mask would stall the GPU)`,
      what,
      `${field}: number`,
      'absent',
    );
  }
  return tf.tidy(() => tf.sum(mask).dataSync()[0]!);
}
