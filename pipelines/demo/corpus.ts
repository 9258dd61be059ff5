// The demo's training corpus: real multilingual image-text pairs from npm packages. Each row is one emoji image
// (three art styles; the fourth is held out for evaluation) with its CLDR names in 24 languages as captions.
import { createHash } from 'node:crypto';
import { cldrNames, type EmojiStyle, nameOf, packageVersion, readEmojiList } from '../eval/emoji-data.js';
import { EMOJI_EVAL_STYLE } from '../eval/emoji-bench.js';

/** Training styles of the demo (the benchmark's style, facebook, is never trained on). */
export const DEMO_TRAIN_STYLES: readonly EmojiStyle[] = ['google', 'twitter', 'apple'];
/** Caption languages (CLDR locales): 24 languages in 14 scripts. */
export const DEMO_LANGUAGES = [
  'en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'ru', 'uk', 'cs', 'sv', 'tr', 'el',
  'ar', 'he', 'fa', 'hi', 'bn', 'th', 'vi', 'id', 'ja', 'zh', 'ko',
] as const;

/** One URL-list row: the image path on the corpus server, the primary caption and its alternatives. */
export interface CorpusRow {
  /** Path under the corpus server, `/<style>/<image>`. */
  path: string;
  caption: string;
  /** The primary caption's CLDR locale: passed to ingestion as the given language (`lang_given`). */
  lang: string;
  alt: string[];
}

/** Share of rows whose primary caption is English; the rest rotate over the other languages. */
const ENGLISH_SHARE = 0.7;

function unit(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

/** Builds the corpus rows (deterministic: same packages → same rows, in the same order). */
export function demoCorpus(opts: { styles?: readonly EmojiStyle[]; languages?: readonly string[] } = {}): CorpusRow[] {
  const styles = opts.styles ?? DEMO_TRAIN_STYLES;
  if (styles.includes(EMOJI_EVAL_STYLE)) {
    throw new Error(`demo corpus: style ${EMOJI_EVAL_STYLE} is the held-out evaluation style and cannot be trained on`);
  }
  const languages = [...(opts.languages ?? DEMO_LANGUAGES)];
  const names = languages.map((l) => [l, cldrNames(l)] as const);
  const others = languages.filter((l) => l !== 'en');
  const rows: CorpusRow[] = [];
  for (const style of styles) {
    for (const e of readEmojiList(style)) {
      if (!e[`has_img_${style}`] || e.category === 'Component') continue;
      const captions = new Map<string, string>();
      for (const [lang, table] of names) {
        const name = nameOf(table, e.unified);
        if (name) captions.set(lang, name);
      }
      if (!captions.has('en')) continue;
      const u = unit(`${style}\0${e.unified}`);
      let lang = 'en';
      if (u >= ENGLISH_SHARE && others.length > 0) {
        lang = others[Math.floor(((u - ENGLISH_SHARE) / (1 - ENGLISH_SHARE)) * others.length)] ?? 'en';
      }
      if (!captions.has(lang)) lang = 'en';
      const caption = captions.get(lang)!;
      const alt = [...captions].filter(([l]) => l !== lang).map(([, c]) => c);
      rows.push({ path: `/${style}/${e.image}`, caption, lang, alt });
    }
  }
  return rows;
}

/** The npm packages (with versions) the corpus reads, for lineage and the README. */
export function demoCorpusPackages(styles: readonly EmojiStyle[] = DEMO_TRAIN_STYLES): { [pkg: string]: string } {
  const pkgs = [...styles.map((s) => `emoji-datasource-${s}`), 'cldr-annotations-full', 'cldr-annotations-derived-full'];
  return Object.fromEntries(pkgs.map((p) => [p, packageVersion(p)]));
}

/**
 * The corpus as a JSONL URL list for ingestion (`url`, `caption`, `alt`, and `lang`: the primary caption's known
 * CLDR locale, ingested with `langColumn: 'lang'` into `lang_given`) served from `baseUrl`.
 */
export function corpusJsonl(rows: readonly CorpusRow[], baseUrl: string): string {
  const line = (r: CorpusRow): string =>
    JSON.stringify({ url: `${baseUrl}${r.path}`, caption: r.caption, alt: r.alt, lang: r.lang });
  return rows.map(line).join('\n') + '\n';
}
