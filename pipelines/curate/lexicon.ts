// Attribute tagging from multilingual lexicons: every attribute's terms from every language go into one
// matcher per script class (one regex pass per caption), so tagging a caption costs a few regex scans.
import { BUILTIN_LEXICON, FEMININE_FORMS } from './lexicon-data.js';
import { isUnspacedScript } from './filters/text.js';

/** A lexicon: attribute (`family:value`) → terms in any language. */
export type Lexicon = Readonly<{ [attr: string]: readonly string[] }>;

/** Merges user entries into a lexicon (terms are added; an attribute may be new). */
export function extendLexicon(base: Lexicon, extra: Lexicon): Lexicon {
  const out: { [attr: string]: string[] } = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, [...v]]));
  for (const [attr, terms] of Object.entries(extra)) out[attr] = [...(out[attr] ?? []), ...terms];
  return out;
}

/** Languages the built-in lexicon covers. */
export function lexiconLanguages(): string[] {
  return [...new Set(Object.values(BUILTIN_LEXICON).flatMap((m) => Object.keys(m)))].sort();
}

/** Per-language lexicons: language code → lexicon; '*' holds terms matched in every language. */
export type LexiconByLanguage = Readonly<{ [lang: string]: Lexicon }>;

/** The built-in lexicon by language, with user entries (any language) under '*'. */
export function lexiconByLanguage(extra: Lexicon = {}): LexiconByLanguage {
  const out: { [lang: string]: { [attr: string]: string[] } } = { '*': {} };
  for (const [attr, byLang] of Object.entries(BUILTIN_LEXICON)) {
    for (const [lang, terms] of Object.entries(byLang)) (out[lang] ??= {})[attr] = terms.split('|');
  }
  for (const [lang, terms] of Object.entries(FEMININE_FORMS)) {
    const lex = (out[lang] ??= {});
    lex['gender:woman'] = [...(lex['gender:woman'] ?? []), ...terms.split('|')];
  }
  for (const [attr, terms] of Object.entries(extra)) out['*']![attr] = [...terms];
  return out;
}

/**
 * Finds attributes in captions. A caption in a known language is matched against that language's terms (and
 * the '*' terms) only, so that e.g. Dutch "arts" (doctor) does not fire on English "arts"; a caption whose
 * language is unknown or not covered is matched against every language.
 */
export class AttributeTagger {
  private readonly matchers = new Map<string, Matcher>();
  constructor(private readonly lexicons: LexiconByLanguage) {}

  /** Sorted distinct attributes found in a caption, or null when none. */
  tag(caption: string, lang = ''): string[] | null {
    const key = lang !== '' && lang !== '*' && lang in this.lexicons ? lang : '';
    let m = this.matchers.get(key);
    if (!m) {
      const parts = key === '' ? Object.values(this.lexicons) : [this.lexicons[key]!, this.lexicons['*'] ?? {}];
      m = new Matcher(extendAll(parts));
      this.matchers.set(key, m);
    }
    return m.tag(caption);
  }
}

function extendAll(parts: readonly Lexicon[]): Lexicon {
  return parts.reduce<Lexicon>((acc, p) => extendLexicon(acc, p), {});
}

class Matcher {
  private readonly spaced: RegExp | null;
  private readonly unspaced: RegExp | null;
  private readonly attrOf = new Map<string, string[]>();

  constructor(lexicon: Lexicon) {
    const spaced: string[] = [];
    const unspaced: string[] = [];
    for (const [attr, terms] of Object.entries(lexicon)) {
      for (const raw of terms) {
        const t = raw.trim().toLowerCase();
        if (!t) continue;
        const list = this.attrOf.get(t);
        if (list) {
          if (!list.includes(attr)) list.push(attr);
        } else {
          this.attrOf.set(t, [attr]);
          (isUnspacedScript(t.codePointAt(0)!) ? unspaced : spaced).push(t);
        }
      }
    }
    const alt = (xs: string[]): string =>
      xs
        .sort((a, b) => b.length - a.length)
        .map(escape)
        .join('|');
    this.spaced = spaced.length
      ? new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])(?:${alt(spaced)})(?![\\p{L}\\p{N}\\p{M}])`, 'gu')
      : null;
    this.unspaced = unspaced.length ? new RegExp(alt(unspaced), 'gu') : null;
  }

  tag(caption: string): string[] | null {
    const lower = caption.toLowerCase();
    let found: Set<string> | null = null;
    for (const re of [this.spaced, this.unspaced]) {
      if (!re) continue;
      for (const m of lower.matchAll(re)) {
        for (const a of this.attrOf.get(m[0])!) (found ??= new Set()).add(a);
      }
    }
    return found ? [...found].sort() : null;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
