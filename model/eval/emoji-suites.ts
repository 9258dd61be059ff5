// The four suites of the bundled emoji benchmark, built from a benchmark selection (pipelines/eval/emoji-bench.ts).
import { buildEmojiBench, type EmojiBenchOptions, type EmojiSelection } from '../../pipelines/eval/emoji-bench.js';
import { type ObjectStore } from '../../storage/index.js';
import { parseSuite, type Suite } from './suite.js';

/** Prompt templates per language (our translations of "an emoji of {}."), plus the bare name. */
export const EMOJI_TEMPLATES: { [lang: string]: string[] } = {
  '*': ['{}'],
  en: ['an emoji of {}.', '{}'],
  de: ['ein Emoji von {}.', '{}'],
  fr: ['un emoji de {}.', '{}'],
  es: ['un emoji de {}.', '{}'],
  pt: ['um emoji de {}.', '{}'],
  it: ["un'emoji di {}.", '{}'],
  ru: ['эмодзи «{}».', '{}'],
  ja: ['{}の絵文字。', '{}'],
  zh: ['{}的表情符号。', '{}'],
  ar: ['رمز تعبيري: {}.', '{}'],
  hi: ['{} का इमोजी।', '{}'],
};

/** Names of the built-in emoji suites. */
export const EMOJI_SUITE_NAMES = ['emoji-zeroshot', 'emoji-retrieval', 'emoji-rb', 'emoji-ab'] as const;
export type EmojiSuiteName = (typeof EMOJI_SUITE_NAMES)[number];

/** The four emoji suites over the benchmark dataset `ref`. */
export function emojiSuites(ref: string, sel: EmojiSelection): { [K in EmojiSuiteName]: Suite } {
  const templates = Object.fromEntries(Object.entries(EMOJI_TEMPLATES).filter(([l]) => l === '*' || sel.languages.includes(l)));
  const concepts = Object.fromEntries(
    sel.languages.map((l) => [l, Object.fromEntries([...sel.occupations].map(([occ, names]) => [occ, [names.get(l)!]]))]),
  );
  return {
    'emoji-zeroshot': parseSuite({ name: 'emoji-zeroshot', dataset: ref, task: 'zeroshot', templates, ks: [1, 5] }),
    'emoji-retrieval': parseSuite({ name: 'emoji-retrieval', dataset: ref, task: 'retrieval', ks: [1, 5, 10] }),
    'emoji-rb': parseSuite({
      name: 'emoji-rb',
      dataset: ref,
      task: 'representation_bias',
      imageAttr: 'people:none',
      labels: Object.fromEntries(sel.genderLabels),
      templates,
    }),
    'emoji-ab': parseSuite({ name: 'emoji-ab', dataset: ref, task: 'association_bias', groups: ['man', 'woman'], concepts, templates }),
  };
}

/** Builds the benchmark dataset if absent and returns its suites. */
export async function ensureEmojiSuites(store: ObjectStore, opts: EmojiBenchOptions = {}): Promise<{ ref: string; suites: { [K in EmojiSuiteName]: Suite } }> {
  const { ref, selection } = await buildEmojiBench(store, opts);
  return { ref, suites: emojiSuites(ref, selection) };
}
