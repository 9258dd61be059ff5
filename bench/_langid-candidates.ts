// Language-ID candidates for the benchmark, each behind one small adapter: text → ISO 639-1 code (or null), with an
// optional restriction to the languages a dataset declares. All ship their models in their npm packages.
import { createRequire } from 'node:module';
import { franc } from 'franc';
import { detect as tinyldDetect } from 'tinyld/heavy';
import { getLIDModel } from 'fasttext.wasm.js';
import { createLanguageIdentifier, normalizeLangCode } from '../pipelines/ingest/lang.js';

const require = createRequire(import.meta.url);

/** A loaded candidate: guesses one text's language (ISO 639-1, null when it declines). */
export interface LoadedCandidate {
  identify(text: string): string | null;
  dispose(): void;
}

/** A candidate: its name, package and loader; `restrictable` when it can limit itself to declared languages. */
export interface Candidate {
  name: string;
  pkg: string;
  restrictable: boolean;
  /** Slow candidates are scored on a smaller sample (per language and kind) so the bench finishes in minutes. */
  slow?: boolean;
  load(languages?: readonly string[]): Promise<LoadedCandidate>;
}

const ISO3: { [iso3: string]: string } = {
  eng: 'en',
  deu: 'de',
  fra: 'fr',
  spa: 'es',
  por: 'pt',
  ita: 'it',
  nld: 'nl',
  pol: 'pl',
  rus: 'ru',
  ukr: 'uk',
  ces: 'cs',
  swe: 'sv',
  tur: 'tr',
  ell: 'el',
  arb: 'ar',
  heb: 'he',
  pes: 'fa',
  hin: 'hi',
  ben: 'bn',
  tha: 'th',
  vie: 'vi',
  ind: 'id',
  jpn: 'ja',
  cmn: 'zh',
  kor: 'ko',
};
const ISO3_OF = Object.fromEntries(Object.entries(ISO3).map(([k, v]) => [v, k]));

const LINGUA_NAMES: { [name: string]: string } = {
  English: 'en',
  German: 'de',
  French: 'fr',
  Spanish: 'es',
  Portuguese: 'pt',
  Italian: 'it',
  Dutch: 'nl',
  Polish: 'pl',
  Russian: 'ru',
  Ukrainian: 'uk',
  Czech: 'cs',
  Swedish: 'sv',
  Turkish: 'tr',
  Greek: 'el',
  Arabic: 'ar',
  Hebrew: 'he',
  Persian: 'fa',
  Hindi: 'hi',
  Bengali: 'bn',
  Thai: 'th',
  Vietnamese: 'vi',
  Indonesian: 'id',
  Japanese: 'ja',
  Chinese: 'zh',
  Korean: 'ko',
};

const sigforge: Candidate = {
  name: 'sigforge ensemble (chosen)',
  pkg: 'pipelines/ingest/lang.ts',
  restrictable: true,
  async load(languages) {
    const lid = await createLanguageIdentifier(languages ? { languages } : {});
    return { identify: (t) => lid.identify(t)?.lang ?? null, dispose: () => lid.dispose() };
  },
};

const sigforgeFastText: Candidate = {
  name: 'sigforge fasttext engine (script + fastText, no eld)',
  pkg: 'pipelines/ingest/lang.ts',
  restrictable: true,
  async load(languages) {
    const lid = await createLanguageIdentifier({ engine: 'fasttext', ...(languages ? { languages } : {}) });
    return { identify: (t) => lid.identify(t)?.lang ?? null, dispose: () => lid.dispose() };
  },
};

const cld3: Candidate = {
  name: 'cld3-asm (previous identifier)',
  pkg: 'cld3-asm',
  restrictable: false,
  async load() {
    const lid = await createLanguageIdentifier({ engine: 'cld3' });
    return { identify: (t) => lid.identify(t)?.lang ?? null, dispose: () => lid.dispose() };
  },
};

const fasttext: Candidate = {
  name: 'fastText lid.176.ftz',
  pkg: 'fasttext.wasm.js',
  restrictable: true,
  async load(languages) {
    const model = await (await getLIDModel()).load();
    const allow = languages ? new Set(languages) : null;
    return {
      identify(t) {
        const text = t.replace(/\s+/g, ' ');
        // The top 5 usually hold an allowed language; only otherwise ask for all 176.
        for (const k of allow ? [5, -1] : [1]) {
          const v = model.predict(text, k, 0);
          try {
            for (let i = 0; i < v.size(); i++) {
              const code = normalizeLangCode(v.get(i)[1].slice('__label__'.length));
              if (!allow || allow.has(code)) return code;
            }
          } finally {
            (v as unknown as { delete(): void }).delete();
          }
        }
        return null;
      },
      dispose: () => undefined,
    };
  },
};

const eldCandidate: Candidate = {
  name: 'eld (large)',
  pkg: 'eld',
  restrictable: true,
  async load(languages) {
    const { eld } = await import('eld/large');
    const inst = eld.newInstance();
    if (languages) inst.setLanguageSubset([...languages]);
    return { identify: (t) => inst.detect(t).language || null, dispose: () => undefined };
  },
};

const tinyld: Candidate = {
  name: 'tinyld (heavy)',
  pkg: 'tinyld',
  restrictable: true,
  async load(languages) {
    const only = languages ? [...languages] : [];
    return { identify: (t) => tinyldDetect(t, { only }) || null, dispose: () => undefined };
  },
};

const francCandidate: Candidate = {
  name: 'franc',
  pkg: 'franc',
  restrictable: true,
  async load(languages) {
    const only = languages?.map((l) => ISO3_OF[l] ?? l);
    return {
      identify(t) {
        const r = franc(t, { minLength: 1, ...(only ? { only } : {}) });
        return r === 'und' ? null : (ISO3[r] ?? r);
      },
      dispose: () => undefined,
    };
  },
};

interface LinguaDetector {
  detectLanguageOf(text: string): string | undefined;
  free(): void;
}
interface LinguaBuilder {
  build(): LinguaDetector;
  withPreloadedLanguageModels(): LinguaBuilder;
}

const lingua: Candidate = {
  name: 'Lingua (WASM)',
  pkg: '@bluzzi/lingua',
  restrictable: true,
  slow: true,
  async load(languages) {
    const { LanguageDetectorBuilder: B } = require('@bluzzi/lingua') as {
      LanguageDetectorBuilder: { fromAllLanguages(): LinguaBuilder; fromISOCodes6391(c: string[]): LinguaBuilder };
    };
    const det = (languages ? B.fromISOCodes6391([...languages]) : B.fromAllLanguages())
      .withPreloadedLanguageModels()
      .build();
    return {
      identify(t) {
        const r = det.detectLanguageOf(t);
        return r ? (LINGUA_NAMES[r] ?? r.toLowerCase()) : null;
      },
      dispose: () => det.free(),
    };
  },
};

/** Every candidate, the project's chosen identifier first. */
export const LANGID_CANDIDATES: readonly Candidate[] = [
  sigforge,
  sigforgeFastText,
  cld3,
  fasttext,
  eldCandidate,
  tinyld,
  francCandidate,
  lingua,
];
