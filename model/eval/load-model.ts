// Loads an evaluation model from a directory URI (file:// or s3://) or a local path, through the ObjectStore: an HF
// SigLIP / SigLIP 2 export (config.json + model.safetensors) or a sigforge training checkpoint (checkpoint.json,
// model.safetensors, and the run's vocab.json four levels up: <run>/stages/<stage>/checkpoints/step-NNNNNNN).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeStore, LOCAL_STORES, NotFoundError, type ObjectStore, type Stores } from '../../storage/index.js';
import { CHECKPOINT_DIR_SUFFIX, type CheckpointModel, checkpointModelSchema } from '../checkpoint-layout.js';
import { EvalConfigError } from './errors.js';
import { type EvalModel, evalModelFromFiles, type EvalTokenize } from './eval-model.js';

/** Turns a local path or URI into a root URI without a trailing slash. */
export function modelDirUri(ref: string): string {
  if (ref.startsWith('file:') || ref.startsWith('s3://')) return ref.replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw new EvalConfigError(`model ${JSON.stringify(ref)}: use a local path, file:// or s3:// URI`, 'model');
  return pathToFileURL(path.resolve(ref)).href.replace(/\/+$/, '');
}

async function getOrNull(store: ObjectStore, key: string): Promise<Uint8Array | null> {
  return (await store.head(key)) ? store.get(key) : null;
}

async function loadCheckpointDir(store: ObjectStore, uri: string, meta: Uint8Array, opts: LoadOptions): Promise<EvalModel> {
  let parsed: CheckpointModel;
  try {
    const r = checkpointModelSchema.safeParse(JSON.parse(new TextDecoder().decode(meta)));
    if (!r.success) throw new Error(`${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
    parsed = r.data;
  } catch (cause) {
    throw new EvalConfigError(`model ${uri}/checkpoint.json is not a sigforge checkpoint (${(cause as Error).message})`, 'model', { cause });
  }
  const weights = await store.get('model.safetensors');
  const want = parsed.files['model.safetensors'];
  const got = createHash('sha256').update(weights).digest('hex');
  if (want && want.sha256 !== got) throw new EvalConfigError(`model ${uri}/model.safetensors has sha256 ${got}, checkpoint.json records ${want.sha256}`, 'model');
  let vocab = await getOrNull(store, 'vocab.json');
  if (!vocab && CHECKPOINT_DIR_SUFFIX.test(uri)) {
    const run = (opts.stores ?? LOCAL_STORES).open(uri.replace(CHECKPOINT_DIR_SUFFIX, ''));
    try {
      vocab = await getOrNull(run, 'vocab.json');
    } finally {
      closeStore(run);
    }
  }
  return evalModelFromFiles({ config: meta, weights, vocab }, uri, { ...opts, layout: 'sigforge', config: parsed.model });
}

/** Options of {@link loadEvalModel}. */
export interface LoadOptions {
  /** Opens the model's URI with the worker's storage settings; default local files only (s3:// refused). */
  stores?: Stores;
  tokenize?: EvalTokenize;
  tokenizerTag?: string;
}

/** Loads a model directory: a sigforge checkpoint (checkpoint.json) or an HF export (config.json). */
export async function loadEvalModel(ref: string, opts: LoadOptions = {}): Promise<EvalModel> {
  const uri = modelDirUri(ref);
  const store = (opts.stores ?? LOCAL_STORES).open(uri);
  try {
    const meta = await getOrNull(store, 'checkpoint.json');
    if (meta) return await loadCheckpointDir(store, uri, meta, opts);
    const [config, weights, vocab] = await Promise.all([store.get('config.json'), store.get('model.safetensors'), getOrNull(store, 'vocab.json')]);
    return evalModelFromFiles({ config, weights, vocab }, uri, opts);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new EvalConfigError(`model ${uri}: needs config.json and model.safetensors, or a sigforge checkpoint.json (${err.message})`, 'model', { cause: err });
    }
    throw err;
  } finally {
    closeStore(store);
  }
}
