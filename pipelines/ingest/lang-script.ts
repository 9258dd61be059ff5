// Script detection for language ID: the writing systems of a text decide some languages outright (Hangul is Korean,
// kana Japanese) and narrow the rest (Cyrillic is Russian or Ukrainian among the demo's languages).

/** Scripts the identifier tells apart, each with a test for one character. */
const SCRIPTS: readonly (readonly [name: string, re: RegExp])[] = [
  ['Hangul', /\p{Script=Hangul}/u],
  ['Kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['Han', /\p{Script=Han}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Bengali', /\p{Script=Bengali}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Latin', /\p{Script=Latin}/u],
];

/** Languages written in a script (ISO 639-1), for the scripts that narrow a guess. */
const LANGUAGES_OF: { [script: string]: readonly string[] } = {
  Hangul: ['ko'],
  Kana: ['ja'],
  Han: ['zh', 'ja', 'yue', 'wuu'],
  Thai: ['th'],
  Greek: ['el'],
  Hebrew: ['he', 'yi'],
  Bengali: ['bn', 'as', 'bpy'],
};

/** The script that decides a text's language family: the first of the list that any of its letters uses. */
export function dominantScript(text: string): string | null {
  for (const [name, re] of SCRIPTS) if (re.test(text)) return name;
  return null;
}

/**
 * Languages a text can be in, given its script and the declared languages (all of them when none are declared):
 * Hangul → ko, kana → ja, Thai → th, Greek → el; other scripts keep the declared languages whose script they are.
 * Returns null when the script does not narrow the guess.
 */
export function scriptCandidates(text: string, declared: ReadonlySet<string> | null): readonly string[] | null {
  const script = dominantScript(text);
  if (!script) return null;
  const known = LANGUAGES_OF[script];
  if (!declared) return known && known.length === 1 ? known : null;
  const ofScript = [...declared].filter((l) => DECLARED_SCRIPT[l] === script || (script === 'Han' && l === 'ja'));
  return ofScript.length > 0 ? ofScript : null;
}

/** The script of each language a dataset may declare (ISO 639-1); languages not listed are not narrowed. */
const DECLARED_SCRIPT: { [lang: string]: string } = {
  ko: 'Hangul',
  ja: 'Kana',
  zh: 'Han',
  th: 'Thai',
  el: 'Greek',
  he: 'Hebrew',
  yi: 'Hebrew',
  ar: 'Arabic',
  fa: 'Arabic',
  ur: 'Arabic',
  ps: 'Arabic',
  bn: 'Bengali',
  as: 'Bengali',
  hi: 'Devanagari',
  mr: 'Devanagari',
  ne: 'Devanagari',
  ru: 'Cyrillic',
  uk: 'Cyrillic',
  bg: 'Cyrillic',
  sr: 'Cyrillic',
  be: 'Cyrillic',
  mk: 'Cyrillic',
  kk: 'Cyrillic',
  ky: 'Cyrillic',
  mn: 'Cyrillic',
  en: 'Latin',
  de: 'Latin',
  fr: 'Latin',
  es: 'Latin',
  pt: 'Latin',
  it: 'Latin',
  nl: 'Latin',
  pl: 'Latin',
  cs: 'Latin',
  sk: 'Latin',
  sv: 'Latin',
  da: 'Latin',
  no: 'Latin',
  fi: 'Latin',
  tr: 'Latin',
  vi: 'Latin',
  id: 'Latin',
  ms: 'Latin',
  ro: 'Latin',
  hu: 'Latin',
  hr: 'Latin',
  ca: 'Latin',
  tl: 'Latin',
  sw: 'Latin',
  et: 'Latin',
  lv: 'Latin',
  lt: 'Latin',
  sl: 'Latin',
};
