// Per-language work of each task: which images and prompt texts it needs, and how its metrics follow from their
// embeddings. Pure: embeddings come in, numbers come out.
import { associationBias, representationBias } from './bias.js';
import { attrValue, type EvalIndex } from './dataset.js';
import { EvalDataError } from './errors.js';
import { type Matrix, takeRows } from './matrix.js';
import { averageClassEmbeddings, buildPrompts } from './prompts.js';
import { retrieval } from './retrieval.js';
import { type Suite, templatesFor } from './suite.js';
import { zeroShot } from './zeroshot.js';

/** Flat metrics of one language, e.g. `{ top1: 0.4, top5: 0.8, n: 120 }`. */
export type Metrics = { [name: string]: number };

/** One language's job: the texts it needs embedded and the metric computation once they are. */
export interface LanguageJob {
  readonly lang: string;
  readonly texts: readonly string[];
  /** Computes metrics from all image embeddings and the embeddings of `texts` (same order). */
  run(images: Matrix, texts: Matrix): Promise<Metrics>;
}

function languagesOf(index: EvalIndex, suite: Suite, available: Iterable<string>): string[] {
  const have = new Set(available);
  if (!suite.languages) return [...have].sort();
  const missing = suite.languages.filter((l) => !have.has(l));
  if (missing.length > 0) throw new EvalDataError(`suite ${suite.name} asks for languages without data: ${missing.join(', ')} (have ${[...have].sort().join(', ')})`, `dataset ${index.ref}`);
  return [...suite.languages];
}

function zeroShotJobs(index: EvalIndex, suite: Extract<Suite, { task: 'zeroshot' }>): LanguageJob[] {
  const labelOf = index.images.map((im) => attrValue(im.attrs, suite.labelAttr));
  let names: Map<string, Map<string, Set<string>>>; // lang → label → names
  if (suite.classes) {
    names = new Map(Object.entries(suite.classes).map(([l, m]) => [l, new Map(Object.entries(m).map(([k, v]) => [k, new Set(v)]))]));
  } else {
    names = new Map();
    for (const c of index.captions) {
      const label = labelOf[c.image];
      if (label === null || label === undefined) continue;
      const perLang = names.get(c.lang) ?? new Map<string, Set<string>>();
      names.set(c.lang, perLang);
      const set = perLang.get(label) ?? new Set<string>();
      perLang.set(label, set);
      set.add(c.text);
    }
  }
  return languagesOf(index, suite, names.keys()).map((lang) => {
    const classes = [...names.get(lang)!.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const classIndex = new Map(classes.map(([label], i) => [label, i]));
    const imageRows: number[] = [];
    const labels: number[] = [];
    labelOf.forEach((l, i) => {
      const c = l === null ? undefined : classIndex.get(l);
      if (c !== undefined) {
        imageRows.push(i);
        labels.push(c);
      }
    });
    const prompts = buildPrompts(classes.map(([, n]) => [...n]), templatesFor(suite.templates, lang));
    return {
      lang,
      texts: prompts.texts,
      run: async (images, texts) => {
        const r = await zeroShot(takeRows(images, imageRows), averageClassEmbeddings(texts, prompts.groups), labels, suite.ks);
        return { ...r.accuracy, n: r.n, classes: classes.length };
      },
    };
  });
}

function retrievalJobs(index: EvalIndex, suite: Extract<Suite, { task: 'retrieval' }>): LanguageJob[] {
  const langs = languagesOf(index, suite, new Set(index.captions.map((c) => c.lang)));
  return langs.map((lang) => {
    const caps = index.captions.filter((c) => c.lang === lang);
    const imageRows = [...new Set(caps.map((c) => c.image))].sort((a, b) => a - b);
    const local = new Map(imageRows.map((r, i) => [r, i]));
    const owners = caps.map((c) => local.get(c.image)!);
    return {
      lang,
      texts: caps.map((c) => c.text),
      run: async (images, texts) => {
        const r = await retrieval(takeRows(images, imageRows), texts, owners, suite.ks);
        const out: Metrics = { images: r.images, texts: r.texts };
        for (const [k, v] of Object.entries(r.imageToText)) out[`i2t_${k}`] = v;
        for (const [k, v] of Object.entries(r.textToImage)) out[`t2i_${k}`] = v;
        return out;
      },
    };
  });
}

function rbJobs(index: EvalIndex, suite: Extract<Suite, { task: 'representation_bias' }>): LanguageJob[] {
  const imageRows = index.images.flatMap((im, i) => (im.attrs.includes(suite.imageAttr) ? [i] : []));
  if (imageRows.length === 0) throw new EvalDataError(`no image carries the attribute ${suite.imageAttr}`, `dataset ${index.ref}`);
  return languagesOf(index, suite, Object.keys(suite.labels)).map((lang) => {
    const prompts = buildPrompts(suite.labels[lang]!.map((l) => [l]), templatesFor(suite.templates, lang));
    return {
      lang,
      texts: prompts.texts,
      run: async (images, texts) => {
        const r = await representationBias(takeRows(images, imageRows), averageClassEmbeddings(texts, prompts.groups));
        return { rb: r.rb, p_first: r.pFirst, n: r.n };
      },
    };
  });
}

function abJobs(index: EvalIndex, suite: Extract<Suite, { task: 'association_bias' }>): LanguageJob[] {
  return languagesOf(index, suite, Object.keys(suite.concepts)).map((lang) => {
    const concepts = Object.entries(suite.concepts[lang]!).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const cIndex = new Map(concepts.map(([k], i) => [k, i]));
    const rows: number[] = [];
    const groups: string[] = [];
    const truth: number[] = [];
    index.images.forEach((im, i) => {
      const g = attrValue(im.attrs, suite.groupAttr);
      const c = attrValue(im.attrs, suite.conceptAttr);
      const ci = c === null ? undefined : cIndex.get(c);
      if (g !== null && suite.groups.includes(g) && ci !== undefined) {
        rows.push(i);
        groups.push(g);
        truth.push(ci);
      }
    });
    const prompts = buildPrompts(concepts.map(([, n]) => n), templatesFor(suite.templates, lang));
    return {
      lang,
      texts: prompts.texts,
      run: async (images, texts) => {
        if (rows.length === 0) throw new EvalDataError(`no image has both ${suite.groupAttr} (${suite.groups.join('/')}) and a listed ${suite.conceptAttr}`, `dataset ${index.ref}`);
        const r = await associationBias(takeRows(images, rows), averageClassEmbeddings(texts, prompts.groups), groups, truth, concepts.map(([k]) => k));
        return { mean_accuracy_gap: r.meanAccuracyGap, prediction_gap: r.predictionGap, n: r.n, concepts: r.perConcept.length };
      },
    };
  });
}

/** The per-language jobs of a suite over a dataset index. */
export function languageJobs(index: EvalIndex, suite: Suite): LanguageJob[] {
  switch (suite.task) {
    case 'zeroshot':
      return zeroShotJobs(index, suite);
    case 'retrieval':
      return retrievalJobs(index, suite);
    case 'representation_bias':
      return rbJobs(index, suite);
    case 'association_bias':
      return abJobs(index, suite);
  }
}

/** Mean of each metric over languages (the counts `n`, `images` and `texts` are summed: items scored in all). */
export function meanOverLanguages(per: { [lang: string]: Metrics }): Metrics {
  const out: Metrics = {};
  const langs = Object.values(per);
  const COUNTS = new Set(['n', 'images', 'texts']);
  for (const m of langs) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + (COUNTS.has(k) ? v : v / langs.length);
  return out;
}
