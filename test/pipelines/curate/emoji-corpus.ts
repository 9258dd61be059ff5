// The emoji corpus for M4 checks: CLDR names (14 languages) of the man/woman/person variants of occupation
// emoji (ZWJ sequences, all skin tones), with ground-truth gender and occupation from the code points.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Occupation code point (after the ZWJ) → concept. */
export const OCCUPATIONS: Readonly<{ [cp: string]: string }> = {
  '⚕': 'health_worker',
  '🏫': 'teacher',
  '⚖': 'judge',
  '🌾': 'farmer',
  '🍳': 'cook',
  '🔧': 'mechanic',
  '🏭': 'factory_worker',
  '💼': 'office_worker',
  '🔬': 'scientist',
  '💻': 'technologist',
  '🎤': 'singer',
  '🎨': 'artist',
  '✈': 'pilot',
  '🚀': 'astronaut',
  '🚒': 'firefighter',
  '🎓': 'student',
};
const GENDER: Readonly<{ [cp: string]: string | null }> = { '👨': 'man', '👩': 'woman', '🧑': null };
/** Languages the corpus is built from (CLDR locales). */
export const EMOJI_LANGS = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'ru', 'pl', 'tr', 'ar', 'hi', 'zh', 'ja'];

/** One corpus row. */
export interface EmojiRow {
  emoji: string;
  lang: string;
  caption: string;
  gender: string | null;
  occupation: string;
  /** 0 for the default skin tone, 1..5 for the modifiers. */
  tone: number;
}

function annotations(pkg: string, dir: string, key: string, lang: string): { [emoji: string]: { tts?: string[] } } {
  const file = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), dir, lang, 'annotations.json');
  return (
    JSON.parse(readFileSync(file, 'utf8')) as { [k: string]: { annotations: { [e: string]: { tts?: string[] } } } }
  )[key]!.annotations;
}

/** Reads every occupation emoji name in every corpus language. */
export function emojiCorpus(): EmojiRow[] {
  const rows: EmojiRow[] = [];
  for (const lang of EMOJI_LANGS) {
    const all = {
      ...annotations('cldr-annotations-full', 'annotations', 'annotations', lang),
      ...annotations('cldr-annotations-derived-full', 'annotationsDerived', 'annotationsDerived', lang),
    };
    for (const [emoji, v] of Object.entries(all)) {
      const cps = [...emoji];
      const base = cps[0]!;
      if (!(base in GENDER) || !emoji.includes('\u200d') || !v.tts?.[0]) continue;
      const occ = cps.find((c) => c in OCCUPATIONS);
      if (!occ) continue;
      const toneCp = cps[1]!.codePointAt(0)!;
      const tone = toneCp >= 0x1f3fb && toneCp <= 0x1f3ff ? toneCp - 0x1f3fa : 0;
      rows.push({ emoji, lang, caption: v.tts[0], gender: GENDER[base]!, occupation: OCCUPATIONS[occ]!, tone });
    }
  }
  return rows.sort((a, b) => (a.lang + a.emoji < b.lang + b.emoji ? -1 : 1));
}
