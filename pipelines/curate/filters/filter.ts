// The filter contract: a filter is made once from its config and then tests rows by index over columns,
// returning null to keep or a short, static reason string to drop (no per-row allocation).
import { type z } from 'zod';
import { type CurateColumns } from '../columns.js';

/** Scores image-text pairs (e.g. with a sigforge checkpoint); higher is better. */
export type ImageTextScorer = (rows: readonly { image: Uint8Array | null; caption: string }[]) => Promise<Float32Array>;

/** Dependencies some filters need, passed in by the caller (never imported). */
export interface FilterDeps {
  /** Required by `model_score`; the per-shard step uses it to fill the `score` column. */
  readonly scorer?: ImageTextScorer;
}

/** A configured filter. */
export interface CurateFilter {
  readonly name: string;
  /** Null to keep row i, else the drop reason (`<filter>:<why>`). */
  test(c: CurateColumns, i: number): string | null;
  /** Present on filters that need a model score per row before `test` (filled per shard). */
  readonly scorer?: ImageTextScorer;
  /** Present on filters whose cut depends on the whole dataset: returns the global threshold to use. */
  globalThreshold?(scoresOfSurvivors: Float32Array): number;
  /** With `globalThreshold`: the top fraction of finite scores kept, and a setter for a threshold found elsewhere (sharded). */
  readonly globalFraction?: number;
  setThreshold?(threshold: number): void;
}

/** A registry entry: a zod schema for the filter's params and a factory. */
export interface FilterDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly params: S;
  create(params: z.infer<S>, deps: FilterDeps): CurateFilter;
}

/** Helper that keeps a definition's params type tied to its schema. */
export function defineFilter<S extends z.ZodType>(def: FilterDefinition<S>): FilterDefinition<S> {
  return def;
}
