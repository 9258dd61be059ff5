/**
 * Caption language identification. cld3-asm (Google's CLD3 in WebAssembly) was chosen by measured accuracy on
 * short multilingual captions (see test/pipelines/ingest/lang.test.ts and the comparison).
 */
import { loadModule, type LanguageIdentifier as Cld } from 'cld3-asm';

/** A caption's language (BCP-47-ish code from CLD3, e.g. `de`, `zh`, `ja`) and its probability. */
export interface LanguageGuess {
  lang: string;
  score: number;
}

/** Identifies the language of short texts; `null` when the text has no letters to judge. */
export interface LanguageIdentifier {
  identify(text: string): LanguageGuess | null;
  dispose(): void;
}

let factory: Promise<Awaited<ReturnType<typeof loadModule>>> | null = null;

/** Loads CLD3 once per process and returns an identifier (min 0 bytes so short captions still get a guess). */
export async function createLanguageIdentifier(): Promise<LanguageIdentifier> {
  factory ??= loadModule();
  const cld: Cld = (await factory).create(0, 1000);
  return {
    identify(text: string): LanguageGuess | null {
      // Strip URLs, digits and punctuation: they carry no language and confuse short-text guesses.
      const clean = text.replace(/https?:\/\/\S+/g, ' ').replace(/[\p{N}\p{P}\p{S}]+/gu, ' ').replace(/\s+/g, ' ').trim();
      if (!/\p{L}/u.test(clean)) return null;
      const r = cld.findLanguage(clean);
      if (r.language === 'und') return null;
      return { lang: r.language, score: r.probability };
    },
    dispose: () => cld.dispose(),
  };
}
