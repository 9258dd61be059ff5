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
  /** This loader's rank among `worldSize` data-parallel loaders (it takes window offsets ≡ rank mod worldSize). */
  rank: z.number().int().nonnegative().default(0),
  /** Loaders sharing the stream; the union of their samples is exactly the single-loader stream. */
  worldSize: z.number().int().positive().default(1),
});
export type LoaderPosition = z.output<typeof loaderPositionSchema>;

/** The position of a fresh stream (of one rank's share when worldSize > 1). */
export function startPosition(seed: number, rank = 0, worldSize = 1): LoaderPosition {
  checkRank(rank, worldSize);
  return { seed, epoch: 0, window: 0, offset: rank, batches: 0, samples: 0, rank, worldSize };
}

/** Throws LoaderConfigError unless 0 ≤ rank < worldSize (both integers). */
export function checkRank(rank: number, worldSize: number): void {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new LoaderConfigError(`must be a positive integer, got ${worldSize}`, 'worldSize');
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new LoaderConfigError(`must be an integer in [0, ${worldSize - 1}] for world size ${worldSize}, got ${rank}`, 'rank');
  }
}

/**
 * The position a loader of (rank, worldSize) resumes from: the saved one, which must belong to the same rank and
 * world size (a changed world size would re-deal samples already trained on, so it is refused).
 */
export function resumePosition(saved: LoaderPosition, rank: number, worldSize: number): LoaderPosition {
  checkRank(rank, worldSize);
  if (saved.worldSize !== worldSize) {
    throw new LoaderConfigError(
      `the saved position belongs to world size ${saved.worldSize}, not ${worldSize}: resume with --world-size ${saved.worldSize} (a changed world size cannot resume exactly mid-epoch)`,
      'worldSize',
    );
  }
  if (saved.rank !== rank) throw new LoaderConfigError(`the saved position belongs to rank ${saved.rank}, not ${rank}`, 'rank');
  if (saved.offset % worldSize !== rank) {
    throw new LoaderConfigError(`${saved.offset} is not an offset of rank ${rank} of ${worldSize}`, 'position.offset');
  }
  return saved;
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
