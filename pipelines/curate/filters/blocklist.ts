// A user-supplied text blocklist: whole-word, case-insensitive (substring for scripts without spaces).
import { z } from 'zod';
import { defineFilter } from './filter.js';
import { termMatcher } from './text.js';

/** Drops rows whose caption contains a blocked term. */
export const blocklistFilter = defineFilter({
  name: 'blocklist',
  description: 'drop captions containing any listed term (whole word, case-insensitive)',
  params: z.object({ terms: z.array(z.string().min(1)).min(1) }).strict(),
  create(p) {
    const re = termMatcher(p.terms);
    return {
      name: 'blocklist',
      test(c, i) {
        return re !== null && re.test(c.caption[i]!) ? 'blocklist:term' : null;
      },
    };
  },
});
