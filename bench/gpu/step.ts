// One benchmark child of the GPU benchmark (bundled by scripts/gpu/build-tree.sh): times the stage-1 training step
// (sigmoid + LocCa) of one config and batch on webgpu, reading the metrics once after the timed steps, and prints JSON.
//   node step.mjs --preset tiny|B/16 --batch N [--steps S] [--image 224] [--vocab V] [--allow-software]
import * as tf from '@tensorflow/tfjs';
import { releaseBackend, selectBackend } from '../../model/backend.js';
import { type ModelConfig, modelConfig } from '../../model/config.js';
import { trainStepFlops } from '../../model/flops.js';
import { readAll } from '../../model/step-metrics.js';
import { createTrainModel, trainStepDeferred } from '../../model/train-step.js';
import { countDispatches } from '../../model/webgpu/dispatches.js';
import { batchFor } from '../train-step.js';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The benchmarked config: `tiny`, or a named size at `image` px with a `vocab`-entry vocabulary. */
function configOf(args: string[]): ModelConfig {
  const preset = flag(args, '--preset') ?? 'tiny';
  if (preset === 'tiny') return modelConfig('tiny');
  const image = Number(flag(args, '--image') ?? 224);
  const vocab = Number(flag(args, '--vocab') ?? 32_000);
  return modelConfig(preset, { imageSize: image, vocabSize: vocab });
}

async function main(args: string[]): Promise<void> {
  const c = configOf(args);
  const batch = Number(flag(args, '--batch') ?? 32);
  const steps = Number(flag(args, '--steps') ?? 5);
  const choice = await selectBackend('webgpu');
  const adapter = choice.adapter!;
  if (adapter.software && !args.includes('--allow-software'))
    throw new Error(`software adapter (${adapter.description}); pass --allow-software for a dry run`);
  const model = createTrainModel(c, { seed: 0 });
  const data = batchFor(c, batch);
  const t0 = performance.now();
  await readAll([trainStepDeferred(model, data), trainStepDeferred(model, data)]); // shaders, optimizer state
  const warmS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const pending = Array.from({ length: steps }, () => trainStepDeferred(model, data));
  const results = await readAll(pending);
  const stepS = (performance.now() - t1) / 1000 / steps;
  const dispatches = await countDispatches(() => readAll([trainStepDeferred(model, data)]));
  let kernels = 0;
  const info = await tf.profile(() => {
    tf.dispose(trainStepDeferred(model, data) as unknown as tf.TensorContainer);
    return [];
  });
  kernels = info.kernels.length;
  const patches = (c.vision.imageSize / c.vision.patchSize) ** 2;
  const out = {
    config: c.name,
    image_size: c.vision.imageSize,
    vocab: c.text.vocabSize,
    batch,
    steps,
    step_s: stepS,
    images_per_s: batch / stepS,
    warmup_s: warmS,
    gflop_per_s: trainStepFlops(c, batch, patches, c.decoderDepth > 0 ? 3 : 0) / stepS / 1e9,
    kernels_per_step: kernels,
    dispatches_per_step: dispatches,
    last_loss: results.at(-1)!.loss,
    adapter,
    gpu_memory_mb: Math.round(tf.memory().numBytes / 2 ** 20),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

try {
  await main(process.argv.slice(2));
} finally {
  await releaseBackend();
}
