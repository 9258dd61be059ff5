// Runs one suite against one model: reads the dataset index, gets image and text embeddings through the cache,
// computes per-language metrics and their mean, and returns a result JSON with model, suite, data and code versions.
import { createHash } from 'node:crypto';
import { type ObjectStore } from '../../storage/index.js';
import { cachedEmbeddings, cacheKey } from './cache.js';
import { readEvalIndex, streamEvalImages } from './dataset.js';
import { type EvalModel } from './eval-model.js';
import { type Matrix, takeRows } from './matrix.js';
import { prepTag } from './preprocess.js';
import { type Suite, suiteHash } from './suite.js';
import { languageJobs, meanOverLanguages, type Metrics } from './tasks.js';

/** The JSON an evaluation of one (model, suite) writes. */
export interface EvalResult {
  kind: 'sigforge-eval-result';
  version: 1;
  model: { uri: string; id: string; name: string; naflex: boolean };
  suite: { name: string; task: Suite['task']; hash: string };
  dataset: { ref: string; created_at: string; config_hash: string };
  preprocessing: string;
  code_version: string;
  created_at: string;
  /** Mean over languages (counts summed). */
  metrics: Metrics;
  per_language: { [lang: string]: Metrics };
  cache: { images: 'hit' | 'miss'; texts: 'hit' | 'miss' };
  seconds: { images: number; texts: number; metrics: number };
}

/** Inputs of {@link runSuite}. */
export interface RunSuiteInput {
  store: ObjectStore;
  model: EvalModel;
  modelUri: string;
  suite: Suite;
  codeVersion: string;
  batchSize?: number;
}

/** Evaluates a model on a suite; image and text embeddings are cached on `store` per (model, data, preprocessing). */
export async function runSuite(inp: RunSuiteInput): Promise<EvalResult> {
  const { store, model, suite } = inp;
  const index = await readEvalIndex(store, suite.dataset);
  const prep = model.defaultPrep(suite.seqLen);
  const jobs = languageJobs(index, suite);

  let t0 = performance.now();
  const imgKey = cacheKey(model.id, 'images', [index.ref, index.manifest.created_at, prepTag(prep)]);
  const images = await cachedEmbeddings(store, imgKey, index.images.length, async () => {
    const e = model.config.embedDim;
    const data = new Float32Array(index.images.length * e);
    for await (const chunk of streamEvalImages(store, index)) {
      const z = await model.embedImages(chunk.bytes, prep, inp.batchSize);
      chunk.rows.forEach((r, k) => data.set(z.data.subarray(k * e, (k + 1) * e), r * e));
    }
    return { rows: index.images.length, cols: e, data };
  });
  const imageSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  const unique = [...new Set(jobs.flatMap((j) => j.texts))];
  const textHash = createHash('sha256').update(unique.join('\u0000')).digest('hex');
  const textKey = cacheKey(model.id, 'texts', [model.tokenizerTag, String(model.config.text.maxLength), textHash]);
  const texts = await cachedEmbeddings(store, textKey, unique.length, () => model.embedTexts(unique, inp.batchSize));
  const textSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  const row = new Map(unique.map((t, i) => [t, i]));
  const per: { [lang: string]: Metrics } = {};
  for (const job of jobs) {
    const t: Matrix = takeRows(texts.matrix, job.texts.map((x) => row.get(x)!));
    per[job.lang] = await job.run(images.matrix, t);
  }
  return {
    kind: 'sigforge-eval-result',
    version: 1,
    model: { uri: inp.modelUri, id: model.id, name: model.config.name, naflex: model.config.vision.naflex },
    suite: { name: suite.name, task: suite.task, hash: suiteHash(suite) },
    dataset: { ref: index.ref, created_at: index.manifest.created_at, config_hash: index.manifest.lineage.config_hash },
    preprocessing: prepTag(prep),
    code_version: inp.codeVersion,
    created_at: new Date().toISOString(),
    metrics: meanOverLanguages(per),
    per_language: per,
    cache: { images: images.hit ? 'hit' : 'miss', texts: texts.hit ? 'hit' : 'miss' },
    seconds: { images: imageSeconds, texts: textSeconds, metrics: (performance.now() - t0) / 1000 },
  };
}
