// Loads an evaluation model from a directory URI (file:// or s3://) or a local path, through the ObjectStore.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeStore, NotFoundError, openStore, type StoreOptions } from '../../storage/index.js';
import { EvalConfigError } from './errors.js';
import { type EvalModel, evalModelFromFiles, type Tokenize } from './eval-model.js';

/** Turns a local path or URI into a root URI without a trailing slash. */
export function modelDirUri(ref: string): string {
  if (ref.startsWith('file:') || ref.startsWith('s3://')) return ref.replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw new EvalConfigError(`model ${JSON.stringify(ref)}: use a local path, file:// or s3:// URI`, 'model');
  return pathToFileURL(path.resolve(ref)).href.replace(/\/+$/, '');
}

/** Reads `config.json`, `model.safetensors` and an optional `vocab.json` from a model directory and loads the model. */
export async function loadEvalModel(ref: string, opts: { store?: StoreOptions; tokenize?: Tokenize; tokenizerTag?: string } = {}): Promise<EvalModel> {
  const uri = modelDirUri(ref);
  const store = openStore(uri, opts.store ?? {});
  try {
    const [config, weights, vocab] = await Promise.all([
      store.get('config.json'),
      store.get('model.safetensors'),
      store.head('vocab.json').then((h) => (h ? store.get('vocab.json') : null)),
    ]);
    return evalModelFromFiles({ config, weights, vocab }, uri, opts);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new EvalConfigError(`model ${uri}: needs config.json and model.safetensors (${err.message})`, 'model', { cause: err });
    }
    throw err;
  } finally {
    closeStore(store);
  }
}
