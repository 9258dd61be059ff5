/**
 * Caption language identification, chosen by measurement (`npm run bench -- langid`): the text's script first
 * (Hangul, kana, Thai, Greek decide outright; with declared languages every script narrows to those written in it),
 * then fastText lid.176 among the remaining languages. cld3-asm, the former identifier, stays as a swappable engine.
 */
import { loadModule } from 'cld3-asm';
import { normalizeLangCode } from '../lang-code.js';
import { loadFastTextLid } from './lang-fasttext.js';
import { scriptCandidates } from './lang-script.js';

/** A caption's language (ISO 639-1 where one exists, e.g. `de`, `zh`, `ja`) and its probability. */
export interface LanguageGuess {
  lang: string;
  score: number;
}

/** Identifies the language of short texts; `null` when the text has no letters to judge. */
export interface LanguageIdentifier {
  identify(text: string): LanguageGuess | null;
  dispose(): void;
}

/** Engines behind the identifier: `fasttext` (default, script-first) or `cld3` (the former one, unrestricted). */
export const LANGUAGE_ENGINES = ['fasttext', 'cld3'] as const;
export type LanguageEngine = (typeof LANGUAGE_ENGINES)[number];

/** Options of an identifier: `languages` restricts guesses to the languages a dataset declares (ISO 639-1). */
export interface LanguageIdentifierOptions {
  languages?: readonly string[];
  engine?: LanguageEngine;
}

export { normalizeLangCode };

/** Strips URLs, digits and punctuation (no language in them; they confuse short-text guesses); '' when no letters. */
export function cleanCaption(text: string): string {
  const clean = text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[\p{N}\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return /\p{L}/u.test(clean) ? clean : '';
}

async function fastTextIdentifier(languages: readonly string[] | undefined): Promise<LanguageIdentifier> {
  const lid = await loadFastTextLid();
  const declared = languages ? new Set(languages.map(normalizeLangCode)) : null;
  return {
    identify(text: string): LanguageGuess | null {
      const clean = cleanCaption(text);
      if (!clean) return null;
      const allowed = scriptCandidates(clean, declared) ?? (declared ? [...declared] : null);
      if (allowed?.length === 1) return { lang: allowed[0]!, score: 1 };
      if (!allowed) {
        const top = lid.predict(clean, 1)[0];
        return top ? { lang: normalizeLangCode(top.code), score: top.p } : null;
      }
      // Among the allowed languages: the most probable one, its probability renormalized over them.
      let best: LanguageGuess | null = null;
      let sum = 0;
      for (const { code, p } of lid.predict(clean, -1)) {
        const lang = normalizeLangCode(code);
        if (!allowed.includes(lang)) continue;
        sum += p;
        if (!best || p > best.score) best = { lang, score: p };
      }
      if (!best) return { lang: allowed[0]!, score: 0 };
      return { lang: best.lang, score: sum > 0 ? best.score / sum : 0 };
    },
    dispose: () => undefined,
  };
}

let cldFactory: ReturnType<typeof loadModule> | null = null;

async function cld3Identifier(): Promise<LanguageIdentifier> {
  cldFactory ??= loadModule();
  const cld = (await cldFactory).create(0, 1000); // min 0 bytes so short captions still get a guess
  return {
    identify(text: string): LanguageGuess | null {
      const clean = cleanCaption(text);
      if (!clean) return null;
      const r = cld.findLanguage(clean);
      return r.language === 'und' ? null : { lang: normalizeLangCode(r.language), score: r.probability };
    },
    dispose: () => cld.dispose(),
  };
}

/** Loads the identifier's model once per process and returns an identifier (fastText, script-first, by default). */
export async function createLanguageIdentifier(opts: LanguageIdentifierOptions = {}): Promise<LanguageIdentifier> {
  const engine = opts.engine ?? 'fasttext';
  if (engine === 'cld3') return cld3Identifier();
  if (engine === 'fasttext') return fastTextIdentifier(opts.languages);
  throw new Error(`language identifier: unknown engine ${String(engine)} (known: ${LANGUAGE_ENGINES.join(', ')})`);
}
