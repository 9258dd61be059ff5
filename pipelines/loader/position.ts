// The loader's position: a small, replayable description of where the stream is. Saved in every checkpoint;
// restoring it yields exactly the batches an uninterrupted loader would have produced next.
import { z } from 'zod';
import { LoaderConfigError } from './errors.js';

/** Where the next sample comes from: epoch, shuffle window of that epoch, offset in the window's sample order. */
export const loaderPositionSchema = z.object({
  /** Seed of the whole stream (shard order, window order, weights, captions, augmentation). */
  seed: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  /** Index of the shuffle window (a group of row groups) in this epoch's order. */
  window: z.number().int().nonnegative(),
  /** Samples of that window already emitted. */
  offset: z.number().int().nonnegative(),
  /** Batches emitted since the start (keys per-batch choices such as the NaFlex sequence length). */
  batches: z.number().int().nonnegative(),
  /** Samples emitted since the start. */
  samples: z.number().int().nonnegative(),
});
export type LoaderPosition = z.output<typeof loaderPositionSchema>;

/** The position of a fresh stream. */
export function startPosition(seed: number): LoaderPosition {
  return { seed, epoch: 0, window: 0, offset: 0, batches: 0, samples: 0 };
}

/** Validates a position read back from a checkpoint; throws LoaderConfigError naming the field. */
export function parsePosition(value: unknown): LoaderPosition {
  const r = loaderPositionSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new LoaderConfigError(i.message, `position.${i.path.join('.')}`, { cause: r.error });
  }
  return r.data;
}
