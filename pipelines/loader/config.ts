// Loader configuration, validated once at the edge.
import { z } from 'zod';
import { LoaderConfigError } from './errors.js';

const fixedSchema = z.object({
  kind: z.literal('fixed'),
  /** Square side in pixels (a multiple of the patch size). */
  size: z.number().int().positive(),
});
const naflexSchema = z.object({
  kind: z.literal('naflex'),
  patchSize: z.number().int().positive(),
  /** Sequence lengths sampled uniformly per batch (recipe §5.2: 128, 256, 576, 784, 1024). */
  seqLens: z.array(z.number().int().positive()).min(1),
});

/** Everything the loader needs besides the dataset and the tokenizer. */
export const loaderConfigSchema = z.object({
  batchSize: z.number().int().positive(),
  resolution: z.discriminatedUnion('kind', [fixedSchema, naflexSchema]),
  /** Row groups shuffled together (the shuffle buffer); memory is bounded by this many row groups. */
  windowGroups: z.number().int().positive().default(4),
  /** Batches decoded ahead of the consumer. */
  prefetch: z.number().int().nonnegative().default(2),
  /** Random-resized-crop area range for fixed resolution (1 = plain resize, no crop). */
  cropScale: z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]).default([0.8, 1]),
  /** Horizontal flip with probability ½ (off by default: flipping breaks captions that name left and right). */
  flip: z.boolean().default(false),
  /** Honour per-row curation weights (expected copies per epoch = weight). */
  useWeights: z.boolean().default(true),
  /** Extra augmented views for self-distillation (recipe §4), or null. */
  views: z
    .object({
      globalSize: z.number().int().positive(),
      localSize: z.number().int().positive(),
      locals: z.number().int().positive().default(8),
    })
    .nullable()
    .default(null),
});
export type LoaderConfig = z.output<typeof loaderConfigSchema>;
export type LoaderConfigInput = z.input<typeof loaderConfigSchema>;

/** Parses a loader config, throwing LoaderConfigError that names the bad field. */
export function parseLoaderConfig(input: unknown): LoaderConfig {
  const r = loaderConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new LoaderConfigError(i.message, i.path.join('.') || '(config)', { cause: r.error });
  }
  if (r.data.cropScale[0] > r.data.cropScale[1]) {
    throw new LoaderConfigError(`lower bound ${r.data.cropScale[0]} exceeds upper ${r.data.cropScale[1]}`, 'cropScale');
  }
  return r.data;
}
