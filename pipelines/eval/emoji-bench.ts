// The bundled multilingual emoji benchmark: emoji images of one style (one not used for training) with CLDR names
// in ≥ 10 languages, as a dataset in our shard format, plus its four suites (zero-shot, retrieval, representation
// bias, association bias). Which packages, versions and styles go where is documented in pipelines/eval/EMOJI-BENCHMARK.md.
import { createHash } from 'node:crypto';
import { AlreadyExistsError, buildManifest, commitManifest, datasetKeys, type ObjectStore, type DataRecord, writeShard } from '../../storage/index.js';
import { cldrNames, EMOJI_STYLES, type EmojiEntry, type EmojiStyle, emojiPngUrl, nameOf, packageVersion, readEmojiList, readEmojiPng } from './emoji-data.js';

/** Code version recorded in the benchmark dataset's lineage; bump when rows change for the same options. */
export const EMOJI_BENCH_CODE_VERSION = 'sigforge-emoji-bench/1';
/** Default languages (CLDR locales): ten scripts and families. */
export const EMOJI_LANGUAGES = ['en', 'de', 'fr', 'es', 'pt', 'ru', 'ja', 'zh', 'ar', 'hi'] as const;
/** Styles the demo trains on (pipelines/demo/corpus.ts); the benchmark's style must be another. */
export const EMOJI_TRAIN_STYLES: readonly EmojiStyle[] = ['google', 'twitter', 'apple'];
/** Default evaluation style. */
export const EMOJI_EVAL_STYLE: EmojiStyle = 'facebook';

/** Options of the emoji benchmark (all recorded in the dataset lineage). */
export interface EmojiBenchOptions {
  style?: EmojiStyle;
  languages?: readonly string[];
  /** Number of emoji (classes) besides the occupation pairs, spread evenly over the emoji list; default 300. */
  maxClasses?: number;
  name?: string;
}

/** Categories whose emoji show no people (images for representation bias). */
const NO_PEOPLE = new Set(['Animals & Nature', 'Food & Drink', 'Travel & Places', 'Objects']);
const MAN = '1F468';
const WOMAN = '1F469';
const PERSON = '1F9D1';

/** Gender and occupation key of a person-role emoji (`man`/`woman`/`person`), or null for other emoji. */
export function roleOf(e: Pick<EmojiEntry, 'unified' | 'subcategory'>): { gender: 'man' | 'woman' | 'person'; occupation: string } | null {
  if (e.subcategory !== 'person-role') return null;
  const u = e.unified.toUpperCase().replace(/-FE0F/g, '');
  for (const [prefix, gender] of [[MAN, 'man'], [WOMAN, 'woman'], [PERSON, 'person']] as const) {
    if (u.startsWith(`${prefix}-200D-`)) return { gender, occupation: u.slice(prefix.length + 6).toLowerCase() };
  }
  const m = /^([0-9A-F]+)-200D-(2642|2640)$/.exec(u);
  if (m) return { gender: m[2] === '2642' ? 'man' : 'woman', occupation: m[1]!.toLowerCase() };
  if (/^[0-9A-F]+$/.test(u)) return { gender: 'person', occupation: u.toLowerCase() };
  return null;
}

/** What the benchmark holds: selected emoji, their names per language, and the bias splits. */
export interface EmojiSelection {
  style: EmojiStyle;
  languages: string[];
  entries: EmojiEntry[];
  names: Map<string, Map<string, string>>; // lang → unified → name
  /** Occupation key → neutral name per language, for occupations with both a man and a woman emoji. */
  occupations: Map<string, Map<string, string>>;
  /** Per language: the names of 👨 and 👩. */
  genderLabels: Map<string, [string, string]>;
}

/** Chooses the benchmark's emoji: named in every language, drawn in the style, evenly spread, plus occupation pairs. */
export function selectEmoji(opts: EmojiBenchOptions = {}): EmojiSelection {
  const style = opts.style ?? EMOJI_EVAL_STYLE;
  if (!EMOJI_STYLES.includes(style)) throw new Error(`emoji style ${JSON.stringify(style)} is unknown; valid: ${EMOJI_STYLES.join(', ')}`);
  const languages = [...(opts.languages ?? EMOJI_LANGUAGES)];
  const names = new Map(languages.map((l) => [l, cldrNames(l)]));
  const all = readEmojiList(style)
    .filter((e) => e[`has_img_${style}`] && e.category !== 'Component' && e.category !== 'Flags')
    .filter((e) => languages.every((l) => nameOf(names.get(l)!, e.unified)))
    .sort((a, b) => a.sort_order - b.sort_order);
  const byOcc = new Map<string, Map<string, EmojiEntry>>();
  for (const e of all) {
    const r = roleOf(e);
    if (!r) continue;
    const m = byOcc.get(r.occupation) ?? new Map<string, EmojiEntry>();
    byOcc.set(r.occupation, m);
    m.set(r.gender, e);
  }
  const occupations = new Map<string, Map<string, string>>();
  const chosen = new Set<EmojiEntry>();
  for (const [occ, m] of [...byOcc].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const person = m.get('person');
    if (!m.has('man') || !m.has('woman') || !person) continue;
    occupations.set(occ, new Map(languages.map((l) => [l, nameOf(names.get(l)!, person.unified)!])));
    chosen.add(m.get('man')!).add(m.get('woman')!);
  }
  const rest = all.filter((e) => !chosen.has(e));
  const max = Math.min(opts.maxClasses ?? 300, rest.length);
  for (let i = 0; i < max; i++) chosen.add(rest[Math.floor((i * rest.length) / max)]!);
  const genderLabels = new Map(languages.map((l) => [l, [nameOf(names.get(l)!, MAN)!, nameOf(names.get(l)!, WOMAN)!] as [string, string]]));
  const entries = [...chosen].sort((a, b) => a.sort_order - b.sort_order);
  const perLang = new Map(languages.map((l) => [l, new Map(entries.map((e) => [e.unified, nameOf(names.get(l)!, e.unified)!]))]));
  return { style, languages, entries, names: perLang, occupations, genderLabels };
}

/** The attributes of a benchmark image: class label, category, and the people / gender / occupation labels. */
export function emojiAttrs(e: EmojiEntry, occupations: ReadonlyMap<string, unknown>): string[] {
  const attrs = [`label:${e.unified.toLowerCase()}`, `category:${e.category}`];
  if (NO_PEOPLE.has(e.category)) attrs.push('people:none');
  const r = roleOf(e);
  if (r && occupations.has(r.occupation) && r.gender !== 'person') attrs.push(`gender:${r.gender}`, `occupation:${r.occupation}`);
  return attrs;
}

/** One row per (emoji, language): the style's PNG and the CLDR name in that language as caption. */
export function* emojiRows(sel: EmojiSelection, fetchedAt = 0): Iterable<DataRecord> {
  for (const e of sel.entries) {
    const png = readEmojiPng(sel.style, e.image);
    const sha256 = createHash('sha256').update(png).digest('hex');
    const attrs = emojiAttrs(e, sel.occupations);
    for (const lang of sel.languages) {
      const caption = sel.names.get(lang)!.get(e.unified)!;
      yield {
        id: createHash('sha256').update(`emoji-bench\0${sel.style}\0${e.unified}\0${lang}`).digest('hex').slice(0, 32),
        source: `emoji-datasource-${sel.style}`,
        url: emojiPngUrl(sel.style, e.image),
        caption,
        alt_captions: [],
        lang,
        lang_score: 1,
        image: png,
        mime: 'image/png',
        width: 64,
        height: 64,
        orig_width: 64,
        orig_height: 64,
        sha256,
        phash: null,
        status: 'ok',
        error: null,
        fetched_at: fetchedAt,
        boxes: null,
        attrs,
        weight: 1,
      };
    }
  }
}

/** Lineage config of a benchmark build: the options and the exact package versions it read. */
export function emojiBenchConfig(opts: EmojiBenchOptions = {}): { [k: string]: unknown } {
  const style = opts.style ?? EMOJI_EVAL_STYLE;
  return {
    style,
    languages: [...(opts.languages ?? EMOJI_LANGUAGES)],
    maxClasses: opts.maxClasses ?? 300,
    packages: Object.fromEntries(
      [`emoji-datasource-${style}`, 'cldr-annotations-full', 'cldr-annotations-derived-full'].map((p) => [p, packageVersion(p)]),
    ),
  };
}

/** Builds (once) the benchmark dataset under `datasets/<name>/<version>`; returns `name@version`. Idempotent. */
export async function buildEmojiBench(store: ObjectStore, opts: EmojiBenchOptions = {}): Promise<{ ref: string; selection: EmojiSelection; built: boolean }> {
  const name = opts.name ?? 'emoji-bench';
  const config = emojiBenchConfig(opts);
  const hash = createHash('sha256').update(JSON.stringify({ config, code: EMOJI_BENCH_CODE_VERSION })).digest('hex');
  const version = `${String(config.style)}-${hash.slice(0, 12)}`;
  const keys = datasetKeys(name, version);
  const selection = selectEmoji(opts);
  const ref = `${name}@${version}`;
  if (await store.head(keys.manifest)) return { ref, selection, built: false };
  const shard = await writeShard(store, keys.shard(0), emojiRows(selection), { rowGroupRows: 2000 });
  const manifest = buildManifest(store, {
    name,
    version,
    kind: 'curated',
    shards: [shard],
    lineage: { inputs: [], config, config_hash: hash, code_version: EMOJI_BENCH_CODE_VERSION },
    stats: { images: selection.entries.length, occupations: selection.occupations.size, languages: selection.languages },
  });
  try {
    await commitManifest(store, manifest);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err; // a concurrent build committed the same content first
  }
  return { ref, selection, built: true };
}
