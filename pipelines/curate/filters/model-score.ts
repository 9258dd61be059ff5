// Model-score filter: keeps rows whose image-text score (from a scorer passed in, e.g. a sigforge checkpoint)
// is ≥ a threshold, or in the top fraction of the rows that pass every other filter.
import { z } from 'zod';
import { CurateConfigError } from '../errors.js';
import { defineFilter } from './filter.js';

/** Image-text similarity filter; the scorer is injected through `FilterDeps`. */
export const modelScoreFilter = defineFilter({
  name: 'model_score',
  description: 'image-text score from an injected scorer: keep score ≥ threshold or the top fraction',
  params: z
    .object({
      threshold: z.number().optional(),
      top_fraction: z.number().gt(0).max(1).optional(),
    })
    .strict()
    .refine((p) => (p.threshold === undefined) !== (p.top_fraction === undefined), {
      message: 'set exactly one of threshold or top_fraction',
    }),
  create(p, deps) {
    if (!deps.scorer) {
      throw new CurateConfigError('needs a scorer (a model checkpoint) and none was given', 'filters.model_score');
    }
    let threshold = p.threshold ?? Number.NEGATIVE_INFINITY;
    const filter = {
      name: 'model_score',
      scorer: deps.scorer,
      test(c: { score: Float32Array }, i: number): string | null {
        const s = c.score[i]!;
        if (Number.isNaN(s)) return 'model_score:unscored';
        return s >= threshold ? null : 'model_score:low';
      },
      ...(p.top_fraction !== undefined && {
        globalFraction: p.top_fraction,
        setThreshold: (t: number): void => void (threshold = t),
      }),
      globalThreshold:
        p.top_fraction === undefined
          ? undefined
          : (scores: Float32Array): number => {
              threshold = topFractionThreshold(scores, p.top_fraction!);
              return threshold;
            },
    };
    return filter;
  },
});

/** The score at which the top `fraction` of finite scores begins (−∞ when there are none). */
export function topFractionThreshold(scores: Float32Array, fraction: number): number {
  const finite = scores.filter((s) => Number.isFinite(s)).sort();
  if (finite.length === 0) return Number.NEGATIVE_INFINITY;
  const keep = Math.max(1, Math.round(finite.length * fraction));
  return finite[finite.length - keep]!;
}
