// The demo's embedded defaults: what each stage of `sigforge demo` runs with, in one place.
import { EMOJI_EVAL_STYLE, EMOJI_LANGUAGES } from '../../pipelines/eval/emoji-bench.js';
import type { ModelConfigInput } from '../../model/config.js';

/** The demo's model: the `tiny` towers with a text table large enough for 25 languages' emoji names. */
export const DEMO_MODEL: ModelConfigInput = {
  name: 'demo-tiny',
  vision: { width: 64, depth: 2, heads: 4, mlpDim: 256, patchSize: 8, imageSize: 32, posGrid: 4 },
  text: { width: 64, depth: 2, heads: 4, mlpDim: 256, vocabSize: 8192, maxLength: 16 },
  embedDim: 64,
  decoderDepth: 1,
  sdWeight: 0.25,
};

/** Batch size of the demo run. */
export const DEMO_BATCH = 32;
/** Where self-distillation switches on (recipe §4), and its views (fewer local views than the recipe's 8, to fit). */
export const DEMO_DISTILL = { at: 0.8, momentum: 0.99, locals: 4, localSize: 16 } as const;

/** The training run config for a given number of examples (the time budget decides that number). */
export function demoRunConfig(examples: number): Record<string, unknown> {
  return {
    model: DEMO_MODEL,
    seed: 0,
    batchSize: DEMO_BATCH,
    examples,
    optimizer: { lr: 1e-3, warmupSteps: Math.min(200, Math.floor(examples / DEMO_BATCH / 10)), weightDecay: 1e-4 },
    locca: true,
    distill: DEMO_DISTILL,
    checkpointEvery: 200,
    keepLast: 2,
    loader: { cropScale: [0.8, 1], flip: false },
  };
}

/**
 * Curation of the demo corpus. Emoji names are short, so DataComp's caption-length rule would drop most of them. Near-
 * duplicate removal is off: on 64 px emoji a 64-bit dHash within distance 2 chains distinct symbols (flags, keycaps,
 * clock faces) into clusters of over 100 (measured), and merging their captions would teach wrong names.
 */
export const DEMO_CURATE_CONFIG = {
  filters: [{ name: 'hygiene' }, { name: 'image_size', min_side: 32 }],
  dedup: { exact: true, near: false },
  language_mix: { mode: 'weight', targets: { en: 0.9, '*': 0.1 } },
  m4: { eta: 0.9, mode: 'weight', groups: { 'gender:man': 0.5, 'gender:woman': 0.5 }, concepts: ['occupation'] },
};

/** Evaluation: the bundled emoji benchmark on the held-out style, in ten languages. */
export const DEMO_EVAL = {
  suites: ['emoji'],
  emoji: { style: EMOJI_EVAL_STYLE, languages: [...EMOJI_LANGUAGES], maxClasses: 100 },
};
