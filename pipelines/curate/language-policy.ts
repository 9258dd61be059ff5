// Which language a row counts as for the language mix and the reports: the source's own language when it gives one
// (and the policy trusts it), else the identifier's guess when it is sure enough, else `und`. Also the report of how
// sure the resulting shares are.
import { normalizeLangCode } from '../lang-code.js';
import { type CurateColumns } from './columns.js';

/** The policy (config `language_mix.policy`): trust given languages, and the lowest detection score to trust. */
export interface LanguagePolicy {
  readonly given: boolean;
  readonly min_score: number;
}

/** Where a row's language came from: 0 given by the source, 1 detected, 2 detected below min_score, 3 none. */
export const LANG_FROM = { given: 0, detected: 1, low: 2, none: 3 } as const;

/** Every row's language under the policy (`und` when unknown or unsure) and where it came from. */
export interface ResolvedLanguages {
  readonly lang: string[];
  readonly from: Uint8Array;
}

/**
 * Resolves each row's language: given (if trusted), else detected with score ≥ min_score (or with no score at all),
 * else `und`.
 */
export function resolveLanguages(c: CurateColumns, policy: LanguagePolicy): ResolvedLanguages {
  const lang = new Array<string>(c.n);
  const from = new Uint8Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const given = policy.given ? normalizeLangCode(c.langGiven[i] ?? '') : '';
    const detected = c.lang[i] ?? '';
    const score = c.langScore[i]!;
    if (given !== '') {
      lang[i] = given;
      from[i] = LANG_FROM.given;
    } else if (detected === '') {
      lang[i] = 'und';
      from[i] = LANG_FROM.none;
    } else if (score < policy.min_score) {
      lang[i] = 'und';
      from[i] = LANG_FROM.low;
    } else {
      // Includes a language without a score (NaN: set by hand or by an older tool): nothing says it is unsure.
      lang[i] = normalizeLangCode(detected);
      from[i] = LANG_FROM.detected;
    }
  }
  return { lang, from };
}

/** How sure a set of rows' languages are: shares per language and of rows given, detected, unsure and unknown. */
export interface LanguageConfidence {
  readonly rows: number;
  /** Share of each resolved language (`und` included), by weight. */
  readonly shares: { [lang: string]: number };
  /** Share of rows whose language the source gave. */
  readonly given: number;
  /** Share of rows whose detected language passed min_score. */
  readonly detected: number;
  /** Share of rows with a detected language below min_score (counted as `und`). */
  readonly low_confidence: number;
  /** Share of rows counted as `und` (no language at all, or an unsure one). */
  readonly und: number;
}

/** The confidence report of the active rows, each weighted by `weight` (1 when omitted). */
export function languageConfidence(
  r: ResolvedLanguages,
  active: Uint8Array,
  weight?: Float64Array,
): LanguageConfidence {
  const byLang: { [lang: string]: number } = {};
  const byFrom = new Float64Array(4);
  let total = 0;
  let rows = 0;
  for (let i = 0; i < r.lang.length; i++) {
    if (!active[i]) continue;
    const w = weight ? weight[i]! : 1;
    rows++;
    total += w;
    byLang[r.lang[i]!] = (byLang[r.lang[i]!] ?? 0) + w;
    byFrom[r.from[i]!] = byFrom[r.from[i]!]! + w;
  }
  const share = (x: number): number => (total > 0 ? x / total : 0);
  return {
    rows,
    shares: Object.fromEntries(
      Object.entries(byLang)
        .sort((a, b) => b[1] - a[1])
        .map(([l, w]) => [l, share(w)]),
    ),
    given: share(byFrom[LANG_FROM.given]!),
    detected: share(byFrom[LANG_FROM.detected]!),
    low_confidence: share(byFrom[LANG_FROM.low]!),
    und: share(byLang.und ?? 0),
  };
}
