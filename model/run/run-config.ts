// The declarative run config: one file describes the whole SigLIP 2 curriculum (recipe §0, §4–7).
import { z } from 'zod';
import { modelConfigSchema } from '../config.js';
import { TrainConfigError } from './errors.js';

const fraction = z.number().gt(0).lt(1);

/** Validated run configuration (YAML or JSON at the CLI edge). */
export const runConfigSchema = z.object({
  /** A registered size name (`tiny`, `B/16`, …) or a full model config. */
  model: z.union([z.string().min(1), modelConfigSchema]),
  /**
   * HF SigLIP / SigLIP 2 directory (local path or file:// URI) the towers start from (`sigforge train --init`); the
   * model config must be the directory's (the CLI takes it from its config.json). Parameters it lacks start fresh.
   */
  init: z.string().min(1).optional(),
  /** Text sequence length override (tiny runs); default the model's. */
  textLength: z.number().int().positive().optional(),
  /** TensorFlow.js backend: auto, tensorflow, wasm or cpu. */
  backend: z.string().default('auto'),
  seed: z.number().int().nonnegative().default(0),
  /** Examples per optimizer step (the recipe's batch; schedules count steps of this size). */
  batchSize: z.number().int().positive(),
  /**
   * Rows per forward/backward pass when the whole batch does not fit in memory: gradients of batchSize/microBatch
   * micro-batches are accumulated into one optimizer step whose sigmoid loss still pairs all batchSize² images and
   * texts (model/train-step.ts trainStepAccumulated). Must divide batchSize; default batchSize (no accumulation).
   */
  microBatch: z.number().int().positive().optional(),
  /** Examples of the base stage (0 → 100% of the recipe). */
  examples: z.number().int().positive(),
  /** Fixed image side of the base stage (default the model's imageSize). */
  imageSize: z.number().int().positive().optional(),
  optimizer: z
    .object({
      lr: z.number().positive().default(1e-3),
      warmupSteps: z.number().int().nonnegative().default(0),
      weightDecay: z.number().nonnegative().default(1e-4),
      clipNorm: z.number().positive().nullable().default(1),
      beta2: z.number().min(0).max(1).default(0.95),
    })
    .prefault({}),
  /** LocCa decoder loss in stage 1 (needs decoderDepth > 0). */
  locca: z.boolean().default(true),
  /** Self-distillation + masked prediction switched on at `at` of the base stage (recipe §4); false disables. */
  distill: z
    .union([
      z.literal(false),
      z.object({
        at: fraction.default(0.8),
        momentum: z.number().gt(0).lt(1).default(0.99),
        locals: z.number().int().positive().default(8),
        localSize: z.number().int().positive().optional(),
        maskRatio: fraction.default(0.5),
      }),
    ])
    .prefault({}),
  /** Fixed-resolution continuations from the `from` point of the base stage at a new side (recipe §5.1). */
  resolutions: z
    .array(
      z.object({
        size: z.number().int().positive(),
        from: fraction.default(0.95),
        /** New patch size (e.g. 16 → 14 for /14 variants): the patch kernel is PI-resized (FlexiViT, recipe §5.1). */
        patchSize: z.number().int().positive().optional(),
      }),
    )
    .default([]),
  /** NaFlex stage from the `from` point, schedule stretched by `stretch` (recipe §5.2). */
  naflex: z
    .object({
      from: fraction.default(0.9),
      stretch: z.number().positive().default(3.75),
      seqLens: z.array(z.number().int().positive()).min(1).default([128, 256, 576, 784, 1024]),
    })
    .nullable()
    .default(null),
  /** ACID stage after the base stage (recipe §6.3): sigmoid only, lr 1e-5, no weight decay, data selected by a teacher. */
  acid: z
    .object({
      examples: z.number().int().positive(),
      /** Fraction f of each super-batch dropped (super-batch = batch / (1 − f)). */
      filter: fraction.default(0.5),
      lr: z.number().positive().default(1e-5),
      /**
       * Reference model: another run's committed checkpoint directory or an HF SigLIP / SigLIP 2 directory, as a key
       * prefix under the storage root (like `--out`), an absolute path, or a file:// / s3:// URI; it keeps its own
       * tokenizer. Never this run ("base" and checkpoints inside the run are refused).
       */
      teacher: z.string().min(1),
    })
    .nullable()
    .default(null),
  /** Checkpoint every N steps (and at each stage end and branch point). */
  checkpointEvery: z.number().int().positive().default(100),
  /** Regular checkpoints kept per stage (stage ends and branch points are always kept). */
  keepLast: z.number().int().positive().default(3),
  /** Loader settings. */
  loader: z
    .object({
      windowGroups: z.number().int().positive().default(4),
      prefetch: z.number().int().nonnegative().default(2),
      cropScale: z.tuple([z.number(), z.number()]).default([0.8, 1]),
      flip: z.boolean().default(false),
      /** This trainer's data-parallel rank and the number of ranks: each reads a disjoint share of every epoch. */
      rank: z.number().int().nonnegative().default(0),
      worldSize: z.number().int().positive().default(1),
    })
    .prefault({}),
  /** Compute the sigmoid loss in this many chunks (as on that many devices). */
  sigmoidChunks: z.number().int().positive().default(1),
});
export type RunConfig = z.output<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

/** Parses a run config; throws TrainConfigError naming the first bad field. */
export function parseRunConfig(input: unknown): RunConfig {
  const r = runConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new TrainConfigError(i.message, i.path.join('.') || '(config)', { cause: r.error });
  }
  const { batchSize, microBatch, acid } = r.data;
  if (acid && (acid.teacher === 'base' || acid.teacher === 'self')) {
    throw new TrainConfigError(`"${acid.teacher}" is this run's own checkpoint: ACID needs a separate reference model (another run's checkpoint or an HF SigLIP directory), never the student itself`, 'acid.teacher');
  }
  if (microBatch !== undefined && batchSize % microBatch !== 0) {
    throw new TrainConfigError(`${microBatch} does not divide batchSize ${batchSize}`, 'microBatch');
  }
  return r.data;
}
