// Host batch (from the loader) → tensors for one training step: images, token ids, LocCa targets (captioning with
// 50% parallel prediction, ARef and GCap on a row's first box) and self-distillation views with a random patch mask.
import * as tf from '@tensorflow/tfjs';
import { type LoaderBatch } from '../../pipelines/loader/loader.js';
import { keyedRandom } from '../../pipelines/loader/random.js';
import { type ModelConfig } from '../config.js';
import { randomPatchMask } from '../distill.js';
import { arefTarget, captionTarget, emptyTarget, gcapTarget, type LoccaSequence } from '../locca-targets.js';
import { type TrainBatch } from '../train-step.js';
import { type VisionInput } from '../vision.js';
import { type TextPipe } from './text.js';

/** Options of {@link toTrainBatch}. */
export interface BatchOptions {
  readonly locca: boolean;
  readonly distill: boolean;
  readonly maskRatio: number;
  /** Keys the random choices of this step (parallel rows, patch mask). */
  readonly seed: number;
  readonly stage: string;
  readonly step: number;
  /**
   * Index within the step of this batch's first row (gradient accumulation: micro-batch k starts at k·microBatch).
   * Random choices are keyed per row of the step, so micro-batches draw what the whole batch would.
   */
  readonly rowOffset?: number;
}

/** Image tensors of a host batch. */
export function visionInput(b: LoaderBatch): VisionInput {
  const n = b.ids.length;
  const im = b.images;
  if (im.kind === 'fixed') return { kind: 'fixed', images: tf.tensor4d(im.pixels, [n, im.size, im.size, 3]) };
  const dim = im.patchSize ** 2 * 3;
  return {
    kind: 'naflex',
    patches: tf.tensor3d(im.patches, [n, im.seqLen, dim]),
    mask: tf.tensor2d(im.mask, [n, im.seqLen]),
    spatialShapes: im.spatialShapes,
  };
}

function stack(seqs: readonly LoccaSequence[], t: number): { targets: tf.Tensor2D; lossMask: tf.Tensor2D; tokens: number } {
  const ids = new Int32Array(seqs.length * t);
  const mask = new Float32Array(seqs.length * t);
  seqs.forEach((s, i) => {
    ids.set(s.ids, i * t);
    mask.set(s.lossMask, i * t);
  });
  // The token count comes along from the host so the loss never reads the mask back from a GPU.
  return { targets: tf.tensor2d(ids, [seqs.length, t], 'int32'), lossMask: tf.tensor2d(mask, [seqs.length, t]), tokens: hostSum(mask) };
}

function hostSum(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/** Builds the TrainBatch of a host batch; free it with {@link disposeTrainBatch}. */
export function toTrainBatch(b: LoaderBatch, c: ModelConfig, text: TextPipe, o: BatchOptions): TrainBatch {
  const n = b.ids.length;
  const t = text.length;
  const rowRandom = b.ids.map((_, i) => keyedRandom(o.seed, 'step', o.stage, o.step, 'row', (o.rowOffset ?? 0) + i));
  const batch: { -readonly [K in keyof TrainBatch]: TrainBatch[K] } = {
    images: visionInput(b),
    ids: tf.tensor2d(b.tokens, [n, t], 'int32'),
  };
  if (o.locca && c.decoderDepth > 0) {
    const opts = { length: t, mapIds: text.mapIds };
    const cap = b.captions.map((s) => captionTarget(text.encoder, s, opts));
    const aref = b.boxes.map((bx) => (bx[0] ? arefTarget(text.encoder, bx[0], opts) : emptyTarget(t)));
    const gcap = b.boxes.map((bx) => (bx[0] ? gcapTarget(text.encoder, bx[0], opts) : emptyTarget(t)));
    const parallel = rowRandom.map((rand) => rand() < 0.5);
    batch.locca = [{ ...stack(cap, t), parallel }, stack(aref, t), stack(gcap, t)];
  }
  if (o.distill && b.views) {
    const v = b.views;
    const side = v.globalSize / c.vision.patchSize;
    const tokens = side * side;
    const masks = rowPatchMasks(rowRandom, tokens, o.maskRatio);
    batch.distill = {
      global: { kind: 'fixed', images: tf.tensor4d(v.global, [n, v.globalSize, v.globalSize, 3]) },
      locals: v.locals.map((l) => ({ kind: 'fixed' as const, images: tf.tensor4d(l, [n, v.localSize, v.localSize, 3]) })),
      patchMask: tf.tensor2d(masks, [n, tokens]),
      maskedPatches: hostSum(masks),
    };
  }
  return batch;
}

/** One random patch mask per row, each from that row's own random stream. */
function rowPatchMasks(rowRandom: readonly (() => number)[], tokens: number, ratio: number): Float32Array {
  const out = new Float32Array(rowRandom.length * tokens);
  rowRandom.forEach((rand, i) => out.set(randomPatchMask([tokens], tokens, ratio, rand), i * tokens));
  return out;
}

/** Frees every tensor of a TrainBatch. */
export function disposeTrainBatch(b: TrainBatch): void {
  const ts: tf.Tensor[] = [b.ids];
  if (b.images.kind === 'fixed') ts.push(b.images.images);
  else ts.push(b.images.patches, b.images.mask);
  for (const l of b.locca ?? []) ts.push(l.targets, l.lossMask);
  if (b.distill) ts.push(b.distill.global.images, ...b.distill.locals.map((l) => l.images), b.distill.patchMask);
  tf.dispose(ts);
}

/** The rows `keep` of a host batch, in that order (ACID's selected sub-batch). */
export function subsetBatch(b: LoaderBatch, keep: readonly number[]): LoaderBatch {
  const rows = <T>(xs: readonly T[]): T[] => keep.map((i) => xs[i]!);
  const slab = (a: Float32Array, per: number): Float32Array => {
    const out = new Float32Array(keep.length * per);
    keep.forEach((i, k) => out.set(a.subarray(i * per, (i + 1) * per), k * per));
    return out;
  };
  const t = b.tokens.length / b.ids.length;
  const tokens = new Int32Array(keep.length * t);
  keep.forEach((i, k) => tokens.set(b.tokens.subarray(i * t, (i + 1) * t), k * t));
  const im = b.images;
  const images: LoaderBatch['images'] =
    im.kind === 'fixed'
      ? { ...im, pixels: slab(im.pixels, im.size * im.size * 3) }
      : { ...im, patches: slab(im.patches, im.seqLen * im.patchSize ** 2 * 3), mask: slab(im.mask, im.seqLen), spatialShapes: rows(im.spatialShapes) };
  return {
    ids: rows(b.ids),
    captions: rows(b.captions),
    weights: rows(b.weights),
    tokens,
    images,
    boxes: rows(b.boxes),
    ...(b.views && {
      views: {
        ...b.views,
        global: slab(b.views.global, b.views.globalSize ** 2 * 3),
        locals: b.views.locals.map((l) => slab(l, b.views!.localSize ** 2 * 3)),
      },
    }),
    position: b.position,
  };
}
