// Turns the demo's time budget into a number of training examples: times a few real training steps of the demo's
// model on this machine (base steps and, when configured, distillation steps) and sizes the run to fit.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { type ModelConfig } from '../../model/config.js';
import { readAll } from '../../model/step-metrics.js';
import { createTrainModel, disposeTrainModel, enableDistillation, type TrainBatch, type TrainModel, trainStepDeferred } from '../../model/train-step.js';
import { mulberry32, randomPatchMask } from '../../model/distill.js';

/** Seconds per step measured for the base stage and (when asked) the distillation phase. */
export interface StepTiming {
  backend: string;
  baseStepS: number;
  distillStepS: number | null;
}

function syntheticBatch(c: ModelConfig, b: number, localSize: number | null, locals: number): TrainBatch {
  const t = c.text.maxLength;
  const ids = tf.tensor2d(Int32Array.from({ length: b * t }, (_, i) => 3 + ((i * 7919) % (c.text.vocabSize - 3))), [b, t], 'int32');
  const halfHost = Float32Array.from({ length: b * t }, (_, i) => (i % t < t / 2 ? 1 : 0));
  const half = tf.tensor2d(halfHost, [b, t]);
  const tokens = halfHost.reduce((a, x) => a + x, 0); // carried with the batch: no mask read on a GPU
  const side = c.vision.imageSize;
  const img = (s: number) => ({ kind: 'fixed' as const, images: tf.randomUniform([b, s, s, 3], -1, 1, 'float32', 1) as tf.Tensor4D });
  const n = (side / c.vision.patchSize) ** 2;
  return {
    images: img(side),
    ids,
    // Captioning only: the demo corpus has no boxes, so the loader builds no ARef/GCap targets.
    locca: c.decoderDepth === 0 ? [] : [{ targets: ids, lossMask: half, tokens, parallel: Array.from({ length: b }, (_, i) => i % 2 === 0) }],
    ...(localSize === null
      ? {}
      : {
          distill: {
            global: img(side),
            locals: Array.from({ length: locals }, () => img(localSize)),
            ...patchMaskOf(b, n),
          },
        }),
  };
}

function patchMaskOf(b: number, n: number): { patchMask: tf.Tensor2D; maskedPatches: number } {
  const host = randomPatchMask(new Array<number>(b).fill(n), n, 0.5, mulberry32(1));
  return { patchMask: tf.tensor2d(host, [b, n]), maskedPatches: host.reduce((a, x) => a + x, 0) };
}

/** Seconds per step; the steps' results are read once at the end (which also waits for a GPU to finish). */
async function timeSteps(model: TrainModel, data: TrainBatch, steps: number): Promise<number> {
  await readAll([trainStepDeferred(model, data), trainStepDeferred(model, data)]); // warm-up: kernels, optimizer state
  const t0 = performance.now();
  await readAll(Array.from({ length: steps }, () => trainStepDeferred(model, data)));
  return (performance.now() - t0) / 1000 / steps;
}

/** Times `steps` base steps (and distillation steps when `distill` is given) of a fresh model at `batch`. */
export async function measureStepTime(
  config: ModelConfig,
  batch: number,
  distill: { locals: number; localSize: number } | null,
  steps = 6,
): Promise<StepTiming> {
  const backend = await selectBackend();
  const model = createTrainModel(config, { seed: 0 });
  const data = syntheticBatch(config, batch, distill?.localSize ?? null, distill?.locals ?? 0);
  try {
    const baseStepS = await timeSteps(model, data, steps);
    let distillStepS: number | null = null;
    if (distill) {
      enableDistillation(model);
      distillStepS = await timeSteps(model, data, steps);
    }
    return { backend: backend.name, baseStepS, distillStepS };
  } finally {
    disposeTrainModel(model);
    const d = data.distill;
    const views = [data.images, d?.global, ...(d?.locals ?? [])].filter((v) => v !== undefined);
    tf.dispose([data.ids, ...(d ? [d.patchMask] : []), ...(data.locca?.[0] ? [data.locca[0].lossMask] : [])]);
    for (const v of views) if (v.kind === 'fixed') tf.dispose(v.images);
  }
}

/** Examples that fit `seconds` of training, given the step timing and where distillation switches on. */
export function examplesForBudget(t: StepTiming, seconds: number, batch: number, distillAt: number | null): number {
  // Steps s satisfy s·(a·base + (1−a)·distill) = seconds, with a the fraction before the switch.
  const a = distillAt ?? 1;
  const perStep = a * t.baseStepS + (1 - a) * (t.distillStepS ?? t.baseStepS);
  const steps = Math.max(10, Math.floor(seconds / perStep));
  return steps * batch;
}
