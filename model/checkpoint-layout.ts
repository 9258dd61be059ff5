// The sigforge checkpoint format shared by training (model/run/checkpoint.ts writes and resumes) and evaluation
// (model/eval/load-model.ts reads): the checkpoint.json schema and the key layout
// `<run>/stages/<stage>/checkpoints/step-NNNNNNN/`, in one place so the two cannot drift apart.
import { z } from 'zod';
import { loaderPositionSchema } from '../pipelines/loader/position.js';
import { joinKey, type ObjectStore } from '../storage/index.js';
import { modelConfigSchema } from './config.js';

/** Where a run lives: a store and a key prefix (`runs/<name>`). */
export interface RunLocation {
  readonly store: ObjectStore;
  readonly prefix: string;
}

const fileSchema = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** checkpoint.json. */
export const checkpointMetaSchema = z.object({
  format: z.literal('sigforge-checkpoint'),
  version: z.literal(1),
  stage: z.string().min(1),
  /** Training steps done on this branch of the curriculum (global step). */
  step: z.number().int().nonnegative(),
  optimizerStep: z.number().int().nonnegative(),
  model: modelConfigSchema,
  loader: loaderPositionSchema,
  /** Every random choice is keyed by (seed, stage, step), so the seed is the whole RNG state. */
  rng: z.object({ seed: z.number().int().nonnegative() }),
  distill: z.object({ momentum: z.number() }).nullable(),
  files: z.record(z.string(), fileSchema),
  /** Parameter names in the trainer's order (reduction order, hence bit-exact resume, depends on it). */
  paramOrder: z.array(z.string()),
  createdAt: z.string(),
});
export type CheckpointMeta = z.output<typeof checkpointMetaSchema>;

/** Key prefix of a stage's checkpoints. */
export function checkpointsPrefix(run: RunLocation, stage: string): string {
  return joinKey(run.prefix, 'stages', stage, 'checkpoints');
}

/** Key of one checkpoint directory. */
export function checkpointKey(run: RunLocation, stage: string, step: number): string {
  return joinKey(checkpointsPrefix(run, stage), `step-${String(step).padStart(7, '0')}`);
}

/** Matches the tail a checkpoint directory adds to its run (`/stages/<stage>/checkpoints/step-NNNNNNN`). */
export const CHECKPOINT_DIR_SUFFIX = /\/stages\/[^/]+\/checkpoints\/step-\d{7,}$/;

/** The part of checkpoint.json that evaluation reads (model config and file digests), from the same schema. */
export const checkpointModelSchema = checkpointMetaSchema.pick({ format: true, model: true, files: true });
export type CheckpointModel = z.output<typeof checkpointModelSchema>;
