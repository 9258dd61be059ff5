// DataComp "basic" filtering: image size and aspect, caption length, language confidence.
import { z } from 'zod';
import { defineFilter } from './filter.js';
import { countWords } from './text.js';

/** DataComp basic: min side, aspect ≤ max, caption ≥ min words and chars, language confidence ≥ min. */
export const basicFilter = defineFilter({
  name: 'basic',
  description:
    'DataComp basic: min image side, max aspect ratio, min caption words/characters, min language confidence',
  params: z
    .object({
      min_side: z.number().int().nonnegative().default(200),
      max_aspect: z.number().min(1).default(3),
      min_words: z.number().int().nonnegative().default(2),
      min_chars: z.number().int().nonnegative().default(5),
      min_lang_score: z.number().min(0).max(1).default(0),
    })
    .strict(),
  create(p) {
    return {
      name: 'basic',
      test(c, i) {
        const w = c.width[i]!;
        const h = c.height[i]!;
        if (Math.min(w, h) < p.min_side) return 'basic:min_side';
        if (Math.max(w, h) > p.max_aspect * Math.min(w, h)) return 'basic:aspect';
        const cap = c.caption[i]!;
        if (cap.trim().length < p.min_chars) return 'basic:caption_chars';
        if (countWords(cap) < p.min_words) return 'basic:caption_words';
        if (p.min_lang_score > 0) {
          const s = c.langScore[i]!;
          if (!(s >= p.min_lang_score)) return 'basic:lang_score';
        }
        return null;
      },
    };
  },
});
