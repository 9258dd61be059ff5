// Tiny-config batches built from host arrays (so every backend sees the same bits), with their mask counts.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from '../../model/config.js';
import { mulberry32, randomPatchMask } from '../../model/distill.js';
import { type TrainBatch } from '../../model/train-step.js';

/** Host data of one batch: images, ids, two LocCa tasks, distillation views and patch mask. */
export interface HostBatch {
  readonly b: number;
  readonly images: Float32Array;
  readonly ids: Int32Array;
  readonly capMask: Float32Array;
  readonly arefMask: Float32Array;
  readonly global: Float32Array;
  readonly locals: Float32Array[];
  readonly patchMask: Float32Array;
}

/** Deterministic host data for a batch of `b` rows of config `c` (32 px images, 16 px locals). */
export function hostBatch(c: ModelConfig, b: number, seed: number): HostBatch {
  const t = c.text.maxLength;
  const rand = mulberry32(seed);
  const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => rand() * 2 - 1);
  const n = (c.vision.imageSize / c.vision.patchSize) ** 2;
  return {
    b,
    images: uniform(b * 32 * 32 * 3),
    ids: Int32Array.from({ length: b * t }, () => 3 + Math.floor(rand() * 50)),
    capMask: Float32Array.from({ length: b * t }, (_, i) => (i % t < 2 + ((seed + Math.floor(i / t)) % 5) ? 1 : 0)),
    arefMask: Float32Array.from({ length: b * t }, (_, i) => (i % t < 3 ? 1 : 0)),
    global: uniform(b * 32 * 32 * 3),
    locals: [uniform(b * 16 * 16 * 3), uniform(b * 16 * 16 * 3)],
    patchMask: randomPatchMask(Array<number>(b).fill(n), n, 0.5, rand),
  };
}

const sum = (a: Float32Array): number => a.reduce((x, y) => x + y, 0);

/** The TrainBatch of host data on the active backend, carrying its mask counts (no reads needed on a GPU). */
export function toBatch(c: ModelConfig, h: HostBatch): TrainBatch {
  const t = c.text.maxLength;
  const { b } = h;
  const ids = tf.tensor2d(h.ids, [b, t], 'int32');
  const n = h.patchMask.length / b;
  return {
    images: { kind: 'fixed', images: tf.tensor4d(h.images, [b, 32, 32, 3]) },
    ids,
    locca: [
      {
        targets: ids,
        lossMask: tf.tensor2d(h.capMask, [b, t]),
        tokens: sum(h.capMask),
        parallel: Array.from({ length: b }, (_, i) => i % 2 === 0),
      },
      { targets: ids, lossMask: tf.tensor2d(h.arefMask, [b, t]), tokens: sum(h.arefMask) },
    ],
    distill: {
      global: { kind: 'fixed', images: tf.tensor4d(h.global, [b, 32, 32, 3]) },
      locals: h.locals.map((l) => ({ kind: 'fixed' as const, images: tf.tensor4d(l, [b, 16, 16, 3]) })),
      patchMask: tf.tensor2d(h.patchMask, [b, n]),
      maskedPatches: sum(h.patchMask),
    },
  };
}

/** Frees a batch made by toBatch. */
export function disposeBatch(x: TrainBatch): void {
  tf.dispose([
    (x.images as { images: tf.Tensor }).images,
    x.ids,
    ...x.locca!.map((l) => l.lossMask),
    x.distill!.global.images,
    ...x.distill!.locals.map((l) => l.images),
    x.distill!.patchMask,
  ]);
}
