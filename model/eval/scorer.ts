// The image-text scorer behind the `model_score` curation filter (DataComp's CLIP-score filtering): cosine similarity
// of a model's normalized image and text embeddings, from any model directory the evaluation loader reads (our
// checkpoints, HF SigLIP / SigLIP 2 exports), in batches, cached per (model identity, content hash of the rows).
import { createHash } from 'node:crypto';
import { type ImageTextScorer } from '../../pipelines/curate/filters/filter.js';
import { type ObjectStore } from '../../storage/index.js';
import { type EvalModel } from './eval-model.js';
import { loadEvalModel, type LoadOptions } from './load-model.js';
import { type ImagePrep, prepTag } from './preprocess.js';

/** Options of {@link modelScorer}. */
export interface ScorerOptions {
  /** Images and texts embedded per forward pass (default 32). */
  readonly batchSize?: number;
  /** Image pre-processing (default the model's: square resolution, or NaFlex at 256 patches). */
  readonly prep?: ImagePrep;
  /** Where scores are cached (`model-score/<model id>/<prep>/<rows hash>.f32`); absent: no cache. */
  readonly cache?: ObjectStore;
}

/** A scorer and the model it holds (dispose when done). */
export interface ModelScorer {
  readonly score: ImageTextScorer;
  readonly model: EvalModel;
  /** Batches scored since creation that were not in the cache. */
  readonly misses: () => number;
  dispose(): void;
}

type Row = Parameters<ImageTextScorer>[0][number];

/** Content hash of the rows a call scores: the same shard rows give the same key, whichever shard URI they came from. */
function rowsHash(rows: readonly Row[]): string {
  const h = createHash('sha256');
  for (const r of rows) {
    h.update(createHash('sha256').update(r.caption).digest());
    h.update(r.image ? createHash('sha256').update(r.image).digest() : Buffer.alloc(32));
  }
  return h.digest('hex');
}

/** Cosine scores of one batch; rows without an image or whose image does not decode score NaN. */
async function scoreBatch(model: EvalModel, rows: readonly Row[], prep: ImagePrep): Promise<Float32Array> {
  const out = new Float32Array(rows.length).fill(Number.NaN);
  const idx = rows.flatMap((r, i) => (r.image ? [i] : []));
  if (idx.length === 0) return out;
  let ok = idx;
  let img;
  try {
    img = await model.embedImages(idx.map((i) => rows[i]!.image!), prep, idx.length);
  } catch {
    // One undecodable image fails its batch: embed one by one and leave the bad ones NaN.
    const singles = await Promise.all(idx.map(async (i) => model.embedImages([rows[i]!.image!], prep, 1).then((m) => m, () => null)));
    ok = idx.filter((_, k) => singles[k] !== null);
    const e = model.config.embedDim;
    const data = new Float32Array(ok.length * e);
    let j = 0;
    singles.forEach((m) => m && data.set(m.data, e * j++));
    img = { rows: ok.length, cols: e, data };
  }
  if (ok.length === 0) return out;
  const txt = await model.embedTexts(ok.map((i) => rows[i]!.caption), ok.length);
  const e = img.cols;
  ok.forEach((row, k) => {
    let s = 0;
    for (let d = 0; d < e; d++) s += img.data[k * e + d]! * txt.data[k * e + d]!;
    out[row] = s;
  });
  return out;
}

/** Wraps a loaded model as the `model_score` filter's scorer. */
export function modelScorer(model: EvalModel, opts: ScorerOptions = {}): ModelScorer {
  const batch = opts.batchSize ?? 32;
  const prep = opts.prep ?? model.defaultPrep();
  let misses = 0;
  const score: ImageTextScorer = async (rows) => {
    const key = `model-score/${model.id}/${prepTag(prep)}/${rowsHash(rows)}.f32`;
    if (opts.cache && (await opts.cache.head(key))) {
      const bytes = await opts.cache.get(key);
      if (bytes.byteLength === rows.length * 4) return new Float32Array(bytes.slice().buffer);
    }
    const out = new Float32Array(rows.length);
    for (let start = 0; start < rows.length; start += batch) {
      out.set(await scoreBatch(model, rows.slice(start, start + batch), prep), start);
      misses++;
    }
    if (opts.cache) await opts.cache.put(key, new Uint8Array(out.buffer));
    return out;
  };
  return { score, model, misses: () => misses, dispose: () => model.dispose() };
}

/** Loads a model directory (path or URI) and returns its scorer. */
export async function loadModelScorer(ref: string, opts: ScorerOptions & { load?: LoadOptions } = {}): Promise<ModelScorer> {
  return modelScorer(await loadEvalModel(ref, opts.load ?? {}), opts);
}
