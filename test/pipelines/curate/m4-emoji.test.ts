// M4 on real multilingual data: CLDR names of the man/woman/person variants of occupation emoji in 14 languages,
// with a planted gender × occupation correlation (some skin-tone variants of one gender removed per occupation).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeTagger, lexiconByLanguage } from '../../../pipelines/curate/lexicon.js';
import { fitM4, type M4Options } from '../../../pipelines/curate/m4.js';
import { EMOJI_LANGS, emojiCorpus, type EmojiRow } from './emoji-corpus.js';

const MALE_STEREOTYPED = new Set([
  'health_worker',
  'scientist',
  'pilot',
  'technologist',
  'mechanic',
  'firefighter',
  'astronaut',
  'judge',
]);
const FEMALE_STEREOTYPED = new Set(['teacher', 'cook', 'office_worker', 'artist', 'singer']);

/** The corpus with the planted correlation: the counter-stereotyped gender keeps only 4 of its 6 skin tones. */
const corpus = emojiCorpus();

function planted(): EmojiRow[] {
  return corpus.filter((r) => {
    if (r.tone < 4) return true;
    if (MALE_STEREOTYPED.has(r.occupation)) return r.gender !== 'woman';
    if (FEMALE_STEREOTYPED.has(r.occupation)) return r.gender !== 'man';
    return true;
  });
}

const truth = (r: EmojiRow): string[] => [...(r.gender ? [`gender:${r.gender}`] : []), `occupation:${r.occupation}`];

/** Largest |share of men − 0.5| over occupations, by ground truth, with rows weighted by q. */
function worstShare(rows: EmojiRow[], q: Float64Array): number {
  let worst = 0;
  for (const occ of new Set(rows.map((r) => r.occupation))) {
    let men = 0;
    let all = 0;
    rows.forEach((r, i) => {
      if (r.occupation !== occ || !r.gender) return;
      all += q[i]!;
      if (r.gender === 'man') men += q[i]!;
    });
    worst = Math.max(worst, Math.abs(men / all - 0.5));
  }
  return worst;
}

const options: M4Options = {
  eta: 0.9,
  groups: { 'gender:man': 0.5, 'gender:woman': 0.5 },
  conceptPrefixes: ['occupation'],
  epsRepresentation: 0.01,
  epsAssociation: 0.02,
  beta: 0,
  minConceptRows: 20,
  maxIter: 20000,
};

describe('M4 on the CLDR emoji corpus', () => {
  const rows = planted();

  it('balances ground-truth gender × occupation within ε at keep rate η', () => {
    assert.ok(
      new Set(rows.map((r) => r.lang)).size === EMOJI_LANGS.length && rows.length > 3000,
      `${rows.length} rows`,
    );
    const active = new Uint8Array(rows.length).fill(1);
    const res = fitM4(active, rows.map(truth), null, options);
    assert.deepEqual(res.infeasible, []);
    assert.ok(Math.abs(res.expectedKeepRate - 0.9) < 0.005, `keep rate ${res.expectedKeepRate}`);
    const before = worstShare(rows, new Float64Array(rows.length).fill(1));
    const after = worstShare(rows, res.q);
    assert.ok(before > 0.09, `planted imbalance ${before}`);
    assert.ok(after < 0.03, `worst occupation share deviation after M4: ${after}`);
  });

  it('driven by lexicon tags instead of ground truth, still reduces the true association (languages the lexicon covers evenly)', () => {
    const tagger = new AttributeTagger(lexiconByLanguage());
    // Per-gender recall of the lexicon on each language's names. Where it finds one gender far more often than the
    // other, even in a single occupation (feminine nouns like Ärztin are listed, generic masculine ones are not;
    // Polish "lekarz" is missing), lexicon-driven balancing would
    // push the true shares the wrong way, so only evenly covered languages are used here.
    const recall = (lang: string, gender: string): number => {
      const rs = rows.filter((r) => r.lang === lang && r.gender === gender);
      return rs.filter((r) => tagger.tag(r.caption, lang)?.includes(`gender:${gender}`)).length / rs.length;
    };
    const even = EMOJI_LANGS.filter((l) => recall(l, 'man') >= 0.99 && recall(l, 'woman') >= 0.99);
    assert.ok(even.length >= 3, `evenly covered languages: ${even.join(', ')}`);
    const subset = rows.filter((r) => even.includes(r.lang));
    // Occupations come from the code points (the lexicon does not name emoji occupations such as "technologist");
    // gender comes from the caption text in its language, as it would for web alt-text.
    const attrs = subset.map((r) => [
      ...(tagger.tag(r.caption, r.lang) ?? []).filter((a) => a.startsWith('gender:')),
      `occupation:${r.occupation}`,
    ]);
    const res = fitM4(new Uint8Array(subset.length).fill(1), attrs, null, options);
    const before = worstShare(subset, new Float64Array(subset.length).fill(1));
    const after = worstShare(subset, res.q);
    assert.ok(after < before / 2, `true deviation ${before} → ${after}`);
    for (let i = 0; i < subset.length; i++) assert.ok(Number.isFinite(res.q[i]!));
  });

  it('lexicon gender tags are exact on English, Spanish, Turkish and Japanese CLDR names', () => {
    const tagger = new AttributeTagger(lexiconByLanguage());
    for (const lang of ['en', 'es', 'tr', 'ja']) {
      const gendered = corpus.filter((r) => r.lang === lang && r.gender);
      const tags = gendered.map((r) => tagger.tag(r.caption, lang) ?? []);
      const hits = gendered.filter((r, i) => tags[i]!.includes(`gender:${r.gender}`)).length;
      const wrong = gendered.filter((r, i) =>
        tags[i]!.some((a) => a.startsWith('gender:') && a !== `gender:${r.gender}`),
      ).length;
      assert.ok(hits / gendered.length >= 0.95, `${lang} recall ${hits}/${gendered.length}`);
      assert.equal(wrong, 0, `${lang} wrong-gender tags`);
    }
  });
});
