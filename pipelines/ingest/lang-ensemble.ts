// The project's language identifier (chosen by `npm run bench -- langid`): the script decides or narrows first,
// then fastText lid.176 and (optionally) eld vote over the remaining languages, each voice normalized to sum 1.
import { normalizeLangCode } from '../lang-code.js';
import { type EldScorer } from './lang-eld.js';
import { type FastTextLid } from './lang-fasttext.js';
import { dominantScript, scriptCandidates } from './lang-script.js';

/** A language and its share of the votes in [0, 1]. */
export interface Vote {
  lang: string;
  score: number;
}

/** fastText labels looked at per text: enough that an allowed language is almost always among them. */
const TOP_K = 5;
/** fastText's share at or above which eld is not asked (saves its time where it would not change the answer). */
const SURE = 0.8;
/**
 * Weight of the Japanese vote on Han-only text (no kana): Japanese text of any length nearly always has kana, so
 * Han-only text is Chinese unless the voices are sure of Japanese.
 */
const HAN_ONLY_JA = 0.5;

function addNormalized(
  into: Map<string, number>,
  votes: Iterable<[string, number]>,
  allowed: readonly string[] | null,
): void {
  const kept: [string, number][] = [];
  let sum = 0;
  for (const [lang, v] of votes) {
    if (v <= 0 || (allowed && !allowed.includes(lang))) continue;
    kept.push([lang, v]);
    sum += v;
  }
  for (const [lang, v] of kept) into.set(lang, (into.get(lang) ?? 0) + v / sum);
}

/**
 * Votes for the language of a cleaned caption among `declared` (all languages when null): the script alone when it
 * leaves one language, else fastText's top labels plus eld's scores, each normalized over the allowed languages.
 */
export function vote(
  clean: string,
  declared: ReadonlySet<string> | null,
  ft: FastTextLid,
  eld: EldScorer | null,
): Vote | null {
  const allowed = scriptCandidates(clean, declared) ?? (declared ? [...declared] : null);
  if (allowed?.length === 1) return { lang: allowed[0]!, score: 1 };
  const total = new Map<string, number>();
  addNormalized(
    total,
    ft.predict(clean, TOP_K).map(({ code, p }) => [normalizeLangCode(code), p] as [string, number]),
    allowed,
  );
  if (eld && Math.max(0, ...total.values()) < SURE) addNormalized(total, Object.entries(eld.scores(clean)), allowed);
  if (total.has('ja') && total.has('zh') && dominantScript(clean) === 'Han')
    total.set('ja', total.get('ja')! * HAN_ONLY_JA);
  let best: Vote | null = null;
  let sum = 0;
  for (const [lang, v] of total) {
    sum += v;
    if (!best || v > best.score) best = { lang, score: v };
  }
  if (!best) return allowed ? { lang: allowed[0]!, score: 0 } : null;
  return { lang: best.lang, score: best.score / sum };
}
