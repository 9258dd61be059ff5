// A reference model that a test can train in seconds on 2 cores: solid-colour squares named by their colour, a tiny
// SigLIP trained on the clean pairs and saved as an HF-layout directory with its own compact Gemma vocabulary.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { modelConfig } from '../../model/config.js';
import { saveHfCheckpoint } from '../../model/hf-checkpoint.js';
import { CompactVocab, loadGemmaTokenizer, siglipTokenBatch, siglipTokens } from '../../model/tokenizer.js';
import { createTrainModel, disposeTrainModel, trainStep } from '../../model/train-step.js';

/** Sixteen colours with distinct names and RGB values. */
export const COLOURS: ReadonlyArray<readonly [string, number, number, number]> = [
  ['red', 230, 25, 25], ['green', 20, 160, 40], ['blue', 30, 60, 220], ['yellow', 240, 230, 40], ['purple', 130, 40, 170], ['orange', 250, 140, 20],
  ['pink', 250, 160, 200], ['brown', 120, 70, 30], ['black', 10, 10, 10], ['white', 245, 245, 245], ['gray', 128, 128, 128], ['cyan', 40, 220, 230],
  ['magenta', 230, 40, 200], ['lime', 170, 240, 60], ['navy', 20, 25, 100], ['olive', 110, 110, 30],
];

/** The caption of colour i. */
export const colourCaption = (i: number): string => `a ${COLOURS[i]![0]} square`;

/** Pixels [n, size, size, 3] in [-1, 1] of every colour, with a faint fixed texture. */
export function colourPixels(size = 32): Float32Array {
  const px = new Float32Array(COLOURS.length * size * size * 3);
  COLOURS.forEach(([, r, g, b], i) => {
    for (let k = 0; k < size * size; k++) [r, g, b].forEach((v, c) => (px[(i * size * size + k) * 3 + c] = v / 127.5 - 1 + 0.02 * Math.sin(k * (c + 1))));
  });
  return px;
}

/** A PNG of colour i (what a dataset row would hold). */
export function colourPng(i: number, side = 40): Promise<Buffer> {
  const [, r, g, b] = COLOURS[i]!;
  return sharp({ create: { width: side, height: side, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

/** Trains the tiny model on the clean colour pairs and writes it to `dir` (config.json, model.safetensors, vocab.json). */
export async function trainColourModel(dir: string, steps = 40): Promise<{ first: number; last: number }> {
  const gemma = await loadGemmaTokenizer();
  const config = modelConfig('tiny', { vocabSize: 256 });
  const len = config.text.maxLength;
  const captions = COLOURS.map((_, i) => colourCaption(i));
  const vocab = CompactVocab.fromSequences(captions.map((c) => siglipTokens(gemma, c, len)), config.text.vocabSize);
  const model = createTrainModel(config, { seed: 4, optimizer: { lr: 3e-3, warmupSteps: 0, weightDecay: 0 } });
  const losses: number[] = [];
  const n = COLOURS.length;
  tf.tidy(() => {
    const images = { kind: 'fixed' as const, images: tf.tensor4d(colourPixels(), [n, 32, 32, 3]) };
    const ids = tf.tensor2d(vocab.toCompact(siglipTokenBatch(gemma, captions, len)), [n, len], 'int32');
    for (let i = 0; i < steps; i++) losses.push(trainStep(model, { images, ids }).sigmoid);
  });
  await saveHfCheckpoint(dir, config, model.params);
  writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocab.toJSON()));
  disposeTrainModel(model);
  return { first: losses[0]!, last: losses.at(-1)! };
}
