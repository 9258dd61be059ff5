// Model configuration: one zod schema, a registry of named sizes (recipe §1.1), and analytic parameter counts.
import { z } from 'zod';
import { ModelConfigError } from './errors.js';

const towerSchema = z.object({
  width: z.number().int().positive(),
  depth: z.number().int().nonnegative(),
  heads: z.number().int().positive(),
  mlpDim: z.number().int().positive(),
});

/** Validated model configuration; field names follow the recipe, HF names are mapped in `hf-config.ts`. */
export const modelConfigSchema = z
  .object({
    name: z.string().min(1),
    vision: towerSchema.extend({
      patchSize: z.number().int().positive(),
      /** Fixed-resolution image side in pixels; the grid is ⌊imageSize / patchSize⌋ (So/14 at 384 px: 27×27). */
      imageSize: z.number().int().positive(),
      /** NaFlex: patches + mask + coordinates in; the position embedding is a posGrid×posGrid grid resized per image. */
      naflex: z.boolean().default(false),
      /** NaFlex: side of the learned position-embedding grid (16 in the released models: HF num_patches = 256). */
      posGrid: z.number().int().positive().default(16),
      /** MAP head present (HF vision_use_head); without it the tower yields tokens only, no image embedding. */
      useHead: z.boolean().default(true),
    }),
    text: towerSchema.extend({
      vocabSize: z.number().int().positive(),
      maxLength: z.number().int().positive().default(64),
      /** Text-tower LayerNorm epsilon when it differs from the model's (HF text_config.layer_norm_eps). */
      layerNormEps: z.number().positive().optional(),
    }),
    /** Shared embedding dimension (MAP output of the image tower = text head output). */
    embedDim: z.number().int().positive(),
    /** LocCa decoder depth (half the text depth in the recipe); 0 disables LocCa. */
    decoderDepth: z.number().int().nonnegative(),
    /** Self-distillation weight by size (recipe §4): B 0.25, L 0.5, So400m 1.0, g 0.5. */
    sdWeight: z.number().nonnegative(),
    layerNormEps: z.number().positive().default(1e-6),
  })
  .refine((c) => c.vision.width % c.vision.heads === 0, {
    message: 'vision.width must be divisible by vision.heads',
    path: ['vision', 'heads'],
  })
  .refine((c) => c.text.width % c.text.heads === 0, {
    message: 'text.width must be divisible by text.heads',
    path: ['text', 'heads'],
  });

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type ModelConfigInput = z.input<typeof modelConfigSchema>;

const B = { width: 768, depth: 12, heads: 12, mlpDim: 3072 };
const L = { width: 1024, depth: 24, heads: 16, mlpDim: 4096 };
const So = { width: 1152, depth: 27, heads: 16, mlpDim: 4304 };
const G = { width: 1536, depth: 40, heads: 16, mlpDim: 6144 };
const GEMMA_VOCAB = 256_000;

const SIZES: Record<string, ModelConfigInput> = {
  tiny: {
    name: 'tiny',
    vision: { width: 64, depth: 2, heads: 4, mlpDim: 256, patchSize: 8, imageSize: 32, posGrid: 4 },
    text: { width: 64, depth: 2, heads: 4, mlpDim: 256, vocabSize: 1024, maxLength: 16 },
    embedDim: 64,
    decoderDepth: 1,
    sdWeight: 0.25,
  },
  'B/16': {
    name: 'B/16',
    vision: { ...B, patchSize: 16, imageSize: 256 },
    text: { ...B, vocabSize: GEMMA_VOCAB },
    embedDim: 768,
    decoderDepth: 6,
    sdWeight: 0.25,
  },
  'B/32': {
    name: 'B/32',
    vision: { ...B, patchSize: 32, imageSize: 256 },
    text: { ...B, vocabSize: GEMMA_VOCAB },
    embedDim: 768,
    decoderDepth: 6,
    sdWeight: 0.25,
  },
  'L/16': {
    name: 'L/16',
    vision: { ...L, patchSize: 16, imageSize: 256 },
    text: { ...L, vocabSize: GEMMA_VOCAB },
    embedDim: 1024,
    decoderDepth: 12,
    sdWeight: 0.5,
  },
  'So400m/14': {
    name: 'So400m/14',
    vision: { ...So, patchSize: 14, imageSize: 224 },
    text: { ...So, vocabSize: GEMMA_VOCAB },
    embedDim: 1152,
    decoderDepth: 14,
    sdWeight: 1.0,
  },
  'So400m/16': {
    name: 'So400m/16',
    vision: { ...So, patchSize: 16, imageSize: 256 },
    text: { ...So, vocabSize: GEMMA_VOCAB },
    embedDim: 1152,
    decoderDepth: 14,
    sdWeight: 1.0,
  },
  'g/16': {
    name: 'g/16',
    vision: { ...G, patchSize: 16, imageSize: 256 },
    // The g image tower is paired with the So400m text tower, projected to 1536 (recipe §1.1).
    text: { ...So, vocabSize: GEMMA_VOCAB },
    embedDim: 1536,
    decoderDepth: 14,
    sdWeight: 0.5,
  },
};

/** Names of the registered sizes. */
export const SIZE_NAMES = Object.keys(SIZES);

/** Parses and validates a configuration, throwing a ModelConfigError that names the bad field. */
export function parseModelConfig(input: unknown): ModelConfig {
  const r = modelConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.') || '(config)';
    throw new ModelConfigError(`model config: ${field}: ${issue.message}`, field, { cause: r.error });
  }
  return r.data;
}

/** Returns the configuration of a named size, with optional overrides (e.g. vocabSize for a compacted vocabulary). */
export function modelConfig(
  name: string,
  overrides: { vocabSize?: number; imageSize?: number; naflex?: boolean } = {},
): ModelConfig {
  const base = SIZES[name];
  if (!base) throw new ModelConfigError(`unknown model size "${name}"; valid: ${SIZE_NAMES.join(', ')}`, 'name');
  return parseModelConfig({
    ...base,
    vision: {
      ...base.vision,
      ...(overrides.imageSize !== undefined && { imageSize: overrides.imageSize }),
      ...(overrides.naflex !== undefined && { naflex: overrides.naflex }),
    },
    text: { ...base.text, ...(overrides.vocabSize !== undefined && { vocabSize: overrides.vocabSize }) },
  });
}

/** Number of position-embedding entries of the image tower (fixed grid, or the NaFlex posGrid² grid). */
export function visionPositions(c: ModelConfig): number {
  return c.vision.naflex ? c.vision.posGrid ** 2 : fixedGrid(c) ** 2;
}

/** Side of the fixed-resolution patch grid (a conv with stride p drops the remainder pixels). */
export function fixedGrid(c: ModelConfig): number {
  return Math.floor(c.vision.imageSize / c.vision.patchSize);
}
