/**
 * Caption language identification, chosen by measurement (`npm run bench -- langid`): the text's script first
 * (Hangul, kana, Thai, Greek decide outright; with declared languages every script narrows to those written in it),
 * then fastText lid.176 and eld vote among the remaining languages (lang-ensemble.ts). cld3-asm, the former
 * identifier, stays as a swappable engine.
 */
import { loadModule } from 'cld3-asm';
import { normalizeLangCode } from '../lang-code.js';
import { loadFastTextLid } from './lang-fasttext.js';
import { loadEld } from './lang-eld.js';
import { vote } from './lang-ensemble.js';

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

/**
 * Engines behind the identifier: `ensemble` (default: script first, then fastText lid.176 and eld vote), `fasttext`
 * (script first, fastText alone: lighter, 4 s faster to load) or `cld3` (the former identifier, unrestricted).
 */
export const LANGUAGE_ENGINES = ['ensemble', 'fasttext', 'cld3'] as const;
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

async function votingIdentifier(
  languages: readonly string[] | undefined,
  withEld: boolean,
): Promise<LanguageIdentifier> {
  const declared = languages ? new Set(languages.map(normalizeLangCode)) : null;
  const [ft, eld] = await Promise.all([
    loadFastTextLid(),
    withEld ? loadEld(declared ? [...declared] : undefined) : null,
  ]);
  return {
    identify(text: string): LanguageGuess | null {
      const clean = cleanCaption(text);
      return clean ? vote(clean, declared, ft, eld) : null;
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

/** Loads the engine's models once per process and returns an identifier (the ensemble by default). */
export async function createLanguageIdentifier(opts: LanguageIdentifierOptions = {}): Promise<LanguageIdentifier> {
  const engine = opts.engine ?? 'ensemble';
  if (engine === 'cld3') return cld3Identifier();
  if (engine === 'ensemble' || engine === 'fasttext') return votingIdentifier(opts.languages, engine === 'ensemble');
  throw new Error(`language identifier: unknown engine ${String(engine)} (known: ${LANGUAGE_ENGINES.join(', ')})`);
}
