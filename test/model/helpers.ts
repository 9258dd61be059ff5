// Shared helpers for model tests: fixture loading and tensor comparison.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { decodeSafetensors, type HostTensor } from '../../model/safetensors.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/model');

/** Reads a safetensors fixture. */
export function readFixture(name: string): Map<string, HostTensor> {
  return decodeSafetensors(readFileSync(path.join(FIXTURES, name)), name).tensors;
}

/** Converts a host tensor into a tf tensor. */
export function toTf(t: HostTensor | undefined): tf.Tensor {
  if (!t) throw new Error('fixture tensor missing');
  return tf.tensor(t.data, [...t.shape], t.dtype);
}

/** Max absolute difference between two tensors (same shape required). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`shape [${a.shape.join(',')}] vs [${b.shape.join(',')}]`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
