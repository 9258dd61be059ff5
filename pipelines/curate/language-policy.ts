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

/** Weighted sums behind a LanguageConfidence report, mergeable across row partitions (the sharded global step). */
export interface ConfidenceSums {
  rows: number;
  total: number;
  byLang: { [lang: string]: number };
  byFrom: number[];
}

/** Empty confidence sums. */
export function emptyConfidence(): ConfidenceSums {
  return { rows: 0, total: 0, byLang: {}, byFrom: [0, 0, 0, 0] };
}

/** Counts one row of language `lang` (resolved from `from`, a LANG_FROM value) with weight `w`. */
export function addConfidence(s: ConfidenceSums, lang: string, from: number, w: number): void {
  s.rows++;
  s.total += w;
  s.byLang[lang] = (s.byLang[lang] ?? 0) + w;
  s.byFrom[from] = s.byFrom[from]! + w;
}

/** Adds the sums `b` into `a`. */
export function mergeConfidence(a: ConfidenceSums, b: ConfidenceSums): void {
  a.rows += b.rows;
  a.total += b.total;
  for (const [k, v] of Object.entries(b.byLang)) a.byLang[k] = (a.byLang[k] ?? 0) + v;
  b.byFrom.forEach((v, i) => (a.byFrom[i] = a.byFrom[i]! + v));
}

/** The report of a set of rows from their sums. */
export function confidenceFromSums(s: ConfidenceSums): LanguageConfidence {
  const share = (x: number): number => (s.total > 0 ? x / s.total : 0);
  return {
    rows: s.rows,
    shares: Object.fromEntries(
      Object.entries(s.byLang)
        .sort((a, b) => b[1] - a[1])
        .map(([l, w]) => [l, share(w)]),
    ),
    given: share(s.byFrom[LANG_FROM.given]!),
    detected: share(s.byFrom[LANG_FROM.detected]!),
    low_confidence: share(s.byFrom[LANG_FROM.low]!),
    und: share(s.byLang.und ?? 0),
  };
}

/** The confidence report of the active rows, each weighted by `weight` (1 when omitted). */
export function languageConfidence(
  r: ResolvedLanguages,
  active: Uint8Array,
  weight?: Float64Array,
): LanguageConfidence {
  const s = emptyConfidence();
  for (let i = 0; i < r.lang.length; i++) if (active[i]) addConfidence(s, r.lang[i]!, r.from[i]!, weight ? weight[i]! : 1);
  return confidenceFromSums(s);
}
