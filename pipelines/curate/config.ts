// The curation config, validated once at the edge: every field has a default, errors name the field.
import { z } from 'zod';
import { hashJson } from '../canonical-json.js';
import { CurateConfigError } from './errors.js';
import { validateFilterParams } from './filters/registry.js';

const filterSpec = z.object({ name: z.string().min(1) }).catchall(z.unknown());

const languageTargets = z.record(z.string().min(1), z.number().min(0).max(1));

/** The curation config schema (snake_case as in YAML files). */
export const curateConfigSchema = z
  .object({
    seed: z.number().int().default(0),
    filters: z.array(filterSpec).default([{ name: 'basic' }, { name: 'hygiene' }]),
    dedup: z
      .object({
        exact: z.boolean().default(true),
        near: z.boolean().default(true),
        /** Hamming distance at or below which two perceptual hashes are near-duplicates. */
        k: z.number().int().min(0).max(32).default(4),
        /** Probability that LSH finds a pair at exactly distance k (sets the number of bands). */
        target_recall: z.number().gt(0).lt(1).default(0.995),
        bits_per_band: z.number().int().min(8).max(32).optional(),
        /** Alternative captions kept per surviving row. */
        max_alt_captions: z.number().int().min(0).default(8),
      })
      .strict()
      .default({ exact: true, near: true, k: 4, target_recall: 0.995, max_alt_captions: 8 }),
    decontamination: z
      .object({ k: z.number().int().min(0).max(32).default(4) })
      .strict()
      .default({ k: 4 }),
    language_mix: z
      .object({
        mode: z.enum(['subsample', 'weight', 'off']).default('subsample'),
        targets: languageTargets.default({ en: 0.9, '*': 0.1 }),
        /**
         * Which language a row counts as: the source's (`lang_given`) when `given`, else the detected one when its
         * score is at least `min_score`, else `und` (grouped under '*' unless targeted by name).
         */
        policy: z
          .object({ given: z.boolean().default(true), min_score: z.number().min(0).max(1).default(0.3) })
          .strict()
          .default({ given: true, min_score: 0.3 }),
      })
      .strict()
      .default({ mode: 'subsample', targets: { en: 0.9, '*': 0.1 }, policy: { given: true, min_score: 0.3 } }),
    attributes: z
      .object({
        /** Where attributes come from: caption lexicons, the row's own `attrs` column, or both. */
        source: z.enum(['lexicon', 'column', 'both']).default('lexicon'),
        /** Extra lexicon entries: `family:value` → terms (any language). */
        lexicon: z
          .record(z.string().regex(/^[^:\s]+:[^:\s]+$/, 'keys are family:value'), z.array(z.string().min(1)))
          .default({}),
      })
      .strict()
      .default({ source: 'lexicon', lexicon: {} }),
    m4: z
      .object({
        enabled: z.boolean().default(true),
        mode: z.enum(['subsample', 'weight']).default('subsample'),
        eta: z.number().gt(0).max(1).default(0.9),
        groups: z
          .record(z.string().regex(/^[^:\s]+:[^:\s]+$/, 'keys are family:value'), z.number().min(0).max(1))
          .default({
            'gender:man': 0.5,
            'gender:woman': 0.5,
          }),
        concepts: z.array(z.string().min(1)).default(['occupation']),
        eps_representation: z.number().positive().default(0.01),
        eps_association: z.number().positive().default(0.02),
        beta: z.number().min(0).default(0),
        min_concept_rows: z.number().int().min(1).default(20),
        max_iter: z.number().int().min(1).default(5000),
      })
      .strict()
      .default({
        enabled: true,
        mode: 'subsample',
        eta: 0.9,
        groups: { 'gender:man': 0.5, 'gender:woman': 0.5 },
        concepts: ['occupation'],
        eps_representation: 0.01,
        eps_association: 0.02,
        beta: 0,
        min_concept_rows: 20,
        max_iter: 5000,
      }),
    /** Rows of the output are shuffled with this seed at write time. */
    shuffle_seed: z.number().int().default(0),
  })
  .strict();

/** A validated curation config (defaults filled). */
export type CurateConfig = z.infer<typeof curateConfigSchema>;

/** Validates a config object; throws `CurateConfigError` naming the first bad field. */
export function parseCurateConfig(input: unknown): CurateConfig {
  const parsed = curateConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CurateConfigError(issue.message, issue.path.map(String).join('.') || '(root)');
  }
  const cfg = parsed.data;
  cfg.filters.forEach((f, i) => {
    const { name, ...params } = f;
    validateFilterParams(name, params, i);
  });
  const shares = Object.values(cfg.language_mix.targets);
  const sum = shares.reduce((s, x) => s + x, 0);
  if (cfg.language_mix.mode !== 'off' && Math.abs(sum - 1) > 1e-6) {
    throw new CurateConfigError(`shares must sum to 1, got ${sum}`, 'language_mix.targets');
  }
  const families = new Map<string, number>();
  for (const [g, pi] of Object.entries(cfg.m4.groups)) {
    const fam = g.slice(0, g.indexOf(':'));
    families.set(fam, (families.get(fam) ?? 0) + pi);
  }
  // Groups of a family may overlap (a caption naming a man and a woman), so targets may sum above 1; a family
  // whose targets are all 0 asks to remove every row in its scope, which contradicts any keep rate η > 0.
  for (const [fam, total] of families) {
    if (total <= 0) throw new CurateConfigError(`family "${fam}" has no positive target`, 'm4.groups');
  }
  return cfg;
}

/** Stable hash of a config (key order independent) for cache keys and lineage. */
export function configHash(cfg: CurateConfig): string {
  return hashJson(cfg).slice(0, 16);
}


/** The filter list of a config as (name, params) pairs for the registry. */
export function filterSpecs(cfg: CurateConfig): { name: string; params: unknown }[] {
  return cfg.filters.map(({ name, ...params }) => ({ name, params }));
}
