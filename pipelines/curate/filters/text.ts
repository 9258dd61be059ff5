// Text helpers shared by filters and the lexicon matcher.

/** True for code points of scripts written without spaces between words (Han, Kana, Thai…). */
export function isUnspacedScript(cp: number): boolean {
  return (
    (cp >= 0x3040 && cp <= 0x30ff) || // Hiragana, Katakana
    (cp >= 0x3400 && cp <= 0x9fff) || // CJK
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x0e00 && cp <= 0x0e7f) || // Thai
    (cp >= 0x20000 && cp <= 0x2fa1f)
  );
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Counts words: runs of letters/digits, with each Han/Kana/Thai character counting as one word. */
export function countWords(s: string): number {
  let words = 0;
  let inWord = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (isUnspacedScript(cp)) {
      words++;
      inWord = false;
    } else if (cp < 128 ? isAsciiAlnum(cp) : LETTER_OR_DIGIT.test(ch)) {
      if (!inWord) words++;
      inWord = true;
    } else {
      inWord = false;
    }
  }
  return words;
}

function isAsciiAlnum(cp: number): boolean {
  return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
}

/** Escapes a string for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A case-insensitive matcher of whole terms (substring for unspaced scripts); null when no terms. */
export function termMatcher(terms: readonly string[]): RegExp | null {
  const clean = [...new Set(terms.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
  if (clean.length === 0) return null;
  // Longest first so that multi-word terms win over their prefixes.
  clean.sort((a, b) => b.length - a.length);
  const spaced = clean.filter((t) => !isUnspacedScript(t.codePointAt(0)!)).map(escapeRegExp);
  const unspaced = clean.filter((t) => isUnspacedScript(t.codePointAt(0)!)).map(escapeRegExp);
  const parts: string[] = [];
  if (spaced.length) parts.push(`(?<![\\p{L}\\p{N}])(?:${spaced.join('|')})(?![\\p{L}\\p{N}])`);
  if (unspaced.length) parts.push(`(?:${unspaced.join('|')})`);
  return new RegExp(parts.join('|'), 'iu');
}
