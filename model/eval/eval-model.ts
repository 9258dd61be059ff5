// A model ready for evaluation: towers' parameters, a tokenizer, a content identity for the embedding cache, and
// batched image/text embedding with every tensor freed.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, parseModelConfig } from '../config.js';
import { paramsFromHfTensors } from '../hf-checkpoint.js';
import { modelConfigFromHf } from '../hf-config.js';
import { l2Normalize } from '../ops.js';
import { ParamStore, towerSpecs } from '../params.js';
import { decodeSafetensors, type HostTensor } from '../safetensors.js';
import { textTower } from '../text.js';
import { CompactVocab, GEMMA, loadGemmaTokenizer, siglipTokenBatch, type TextEncoder } from '../tokenizer.js';
import { visionTower } from '../vision.js';
import { EvalConfigError, EvalDataError } from './errors.js';
import { type Matrix } from './matrix.js';
import { fixedPixels, type ImagePrep, naflexPixels } from './preprocess.js';

/** Turns texts into token ids [texts.length × maxLength] the text tower accepts. */
export type EvalTokenize = (texts: readonly string[]) => Promise<Int32Array>;

/** Files of a model directory (HF layout): `config.json`, `model.safetensors`, optional compact `vocab.json`. */
export interface ModelFiles {
  readonly config: Uint8Array;
  readonly weights: Uint8Array;
  readonly vocab?: Uint8Array | null;
}

/** A loaded model and what evaluation needs from it. */
export class EvalModel {
  /** Forward passes run so far (image and text batches), so callers and tests can see cache hits. */
  forwardBatches = 0;

  constructor(
    /** Content identity: sha256 of config, weights and vocabulary (the embedding cache key). */
    readonly id: string,
    readonly config: ModelConfig,
    readonly params: ParamStore,
    readonly tokenize: EvalTokenize,
    /** Names the tokenizer in cache keys. */
    readonly tokenizerTag: string,
  ) {}

  /** The default image pre-processing: the model's square resolution, or NaFlex at `seqLen` (default 256). */
  defaultPrep(seqLen?: number): ImagePrep {
    const v = this.config.vision;
    if (v.naflex) return { kind: 'naflex', patchSize: v.patchSize, seqLen: seqLen ?? 256 };
    if (seqLen !== undefined) throw new EvalConfigError('a sequence length applies to NaFlex models only', 'seqLen');
    return { kind: 'fixed', size: v.imageSize };
  }

  /** L2-normalized embeddings of encoded images (JPEG/PNG/WebP bytes), in batches. */
  async embedImages(images: readonly Uint8Array[], prep: ImagePrep, batchSize = 32): Promise<Matrix> {
    const e = this.config.embedDim;
    const out = new Float32Array(images.length * e);
    for (let start = 0; start < images.length; start += batchSize) {
      const batch = images.slice(start, start + batchSize);
      const n = batch.length;
      let z: tf.Tensor;
      if (prep.kind === 'fixed') {
        const px = await Promise.all(batch.map((b, i) => fixedPixels(b, prep.size, `image ${start + i}`)));
        const flat = new Float32Array(n * prep.size * prep.size * 3);
        px.forEach((p, i) => flat.set(p, i * p.length));
        z = this.fixedEmbeddings(flat, n, prep.size);
      } else {
        const px = await Promise.all(batch.map((b, i) => naflexPixels(b, prep.patchSize, prep.seqLen, `image ${start + i}`)));
        const dim = prep.patchSize ** 2 * 3;
        const patches = new Float32Array(n * prep.seqLen * dim);
        const mask = new Float32Array(n * prep.seqLen);
        px.forEach((p, i) => {
          patches.set(p.patches, i * prep.seqLen * dim);
          mask.set(p.mask, i * prep.seqLen);
        });
        z = tf.tidy(() => {
          const input = {
            kind: 'naflex' as const,
            patches: tf.tensor3d(patches, [n, prep.seqLen, dim]),
            mask: tf.tensor2d(mask, [n, prep.seqLen]),
            spatialShapes: px.map((p) => [p.rows, p.cols] as const),
          };
          return l2Normalize(visionTower(this.params.get, this.config, input).pooled);
        });
      }
      this.forwardBatches++;
      out.set((await z.data()) as Float32Array, start * e);
      z.dispose();
    }
    return { rows: images.length, cols: e, data: out };
  }

  /** L2-normalized image embeddings [n, E] of pre-processed pixels (row-major [n, size, size, 3] in [-1, 1]). */
  fixedEmbeddings(pixels: Float32Array, n: number, size: number): tf.Tensor2D {
    return tf.tidy(() => {
      const input = tf.tensor4d(pixels, [n, size, size, 3]);
      return l2Normalize(visionTower(this.params.get, this.config, { kind: 'fixed', images: input }).pooled) as tf.Tensor2D;
    });
  }

  /** L2-normalized embeddings of texts, in batches. */
  async embedTexts(texts: readonly string[], batchSize = 64): Promise<Matrix> {
    const ids = await this.tokenize(texts);
    return this.embedTokenIds(ids, texts.length, batchSize);
  }

  /** L2-normalized embeddings of pre-tokenized texts (row-major [n × maxLength] ids). */
  async embedTokenIds(ids: Int32Array, n: number, batchSize = 64): Promise<Matrix> {
    const len = this.config.text.maxLength;
    const e = this.config.embedDim;
    if (ids.length !== n * len) throw new EvalDataError(`${ids.length} token ids for ${n} texts of length ${len}`, 'token ids');
    const vocab = this.config.text.vocabSize;
    const bad = ids.findIndex((x) => x < 0 || x >= vocab);
    if (bad >= 0) throw new EvalDataError(`token id ${ids[bad]} at ${bad} is outside the vocabulary 0..${vocab - 1}`, 'token ids');
    const out = new Float32Array(n * e);
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const z = tf.tidy(() => {
        const t = tf.tensor2d(ids.subarray(start * len, (start + m) * len), [m, len], 'int32');
        return l2Normalize(textTower(this.params.get, this.config, t).pooled);
      });
      this.forwardBatches++;
      out.set((await z.data()) as Float32Array, start * e);
      z.dispose();
    }
    return { rows: n, cols: e, data: out };
  }

  /** Frees the parameters. */
  dispose(): void {
    this.params.dispose();
  }
}

/** Gemma tokenization (SigLIP 2 preprocessing), through a compact vocabulary when the model has one. */
export function gemmaTokenize(config: ModelConfig, vocab: CompactVocab | null, encoder?: TextEncoder): EvalTokenize {
  return async (texts) => {
    if (!vocab && config.text.vocabSize < GEMMA.vocabSize) {
      // e.g. SigLIP (v1) checkpoints: their 32k SentencePiece tokenizer is not Gemma's.
      throw new EvalConfigError(
        `the model's vocabulary has ${config.text.vocabSize} entries, fewer than Gemma's ${GEMMA.vocabSize}, and no vocab.json maps Gemma ids into it: its tokenizer is not supported`,
        'tokenizer',
      );
    }
    const enc = encoder ?? (await loadGemmaTokenizer());
    const ids = siglipTokenBatch(enc, texts, config.text.maxLength);
    return vocab ? vocab.toCompact(ids) : ids;
  };
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new EvalConfigError(`${what} is not valid JSON`, what, { cause });
  }
}

/** Tower parameters from sigforge-layout tensors (checkpoints of training runs), checking every name and shape. */
function paramsFromSigforgeTensors(config: ModelConfig, tensors: Map<string, HostTensor>, where: string): ParamStore {
  const out = new Map<string, tf.Tensor>();
  for (const [name, spec] of towerSpecs(config)) {
    const t = tensors.get(name);
    if (!t) throw new EvalConfigError(`${where}: tensor "${name}" is missing`, 'model');
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new EvalConfigError(`${where}: tensor "${name}" has shape [${t.shape.join(',')}], expected [${spec.shape.join(',')}]`, 'model');
    }
  }
  // Only the towers: decoder, optimizer and teacher tensors of a training checkpoint are not needed to evaluate.
  for (const name of towerSpecs(config).keys()) {
    const t = tensors.get(name)!;
    out.set(name, tf.tensor(t.data, [...t.shape], t.dtype));
  }
  return ParamStore.fromTensors(out, false);
}

/**
 * Builds an EvalModel from a model directory's files: an HF SigLIP / SigLIP 2 `config.json` with HF-layout weights, or
 * (`layout: 'sigforge'`) a training checkpoint's model config with sigforge-layout weights; plus an optional compact
 * vocabulary (tiny models).
 */
export function evalModelFromFiles(
  files: ModelFiles,
  where: string,
  opts: { tokenize?: EvalTokenize; tokenizerTag?: string; layout?: 'hf' | 'sigforge'; config?: ModelConfig } = {},
): EvalModel {
  let config: ModelConfig;
  if (opts.config) config = opts.config;
  else {
    const json = parseJson(files.config, `${where}/config.json`) as { model_type?: unknown };
    config = json && typeof json === 'object' && 'model_type' in json ? modelConfigFromHf(json, `${where}/config.json`) : parseModelConfig(json);
  }
  const vocab = files.vocab ? CompactVocab.fromJSON(parseJson(files.vocab, `${where}/vocab.json`)) : null;
  if (vocab && vocab.size > config.text.vocabSize) {
    throw new EvalConfigError(`vocab.json has ${vocab.size} entries but the model's vocabulary is ${config.text.vocabSize}`, `${where}/vocab.json`);
  }
  const tensors = decodeSafetensors(files.weights, `${where}/model.safetensors`).tensors;
  const params =
    opts.layout === 'sigforge' ? paramsFromSigforgeTensors(config, tensors, `${where}/model.safetensors`) : paramsFromHfTensors(config, tensors, `${where}/model.safetensors`).params;
  const h = createHash('sha256');
  for (const part of [files.config, files.weights, files.vocab ?? new Uint8Array()]) h.update(createHash('sha256').update(part).digest());
  const id = h.digest('hex').slice(0, 24);
  const tokenize = opts.tokenize ?? gemmaTokenize(config, vocab);
  const tokenizerTag = opts.tokenizerTag ?? (vocab ? 'gemma-compact' : 'gemma');
  return new EvalModel(id, config, params, tokenize, tokenizerTag);
}
