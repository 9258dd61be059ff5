// Model references: a model directory (config.json or checkpoint.json) is used as is; a training run's directory
// means its newest committed checkpoint, by global step, across stages
// (`stages/<stage>/checkpoints/step-NNNNNNN/checkpoint.json`, written last, or `checkpoints/step-NNNNNNN/…`).
import { closeStore, openStore, type StoreOptions } from '../../storage/index.js';
import { EvalConfigError } from '../../model/eval/errors.js';
import { modelDirUri } from '../../model/eval/load-model.js';

const COMMITTED = /^((?:stages\/[^/]+\/)?checkpoints\/step-(\d+))\/checkpoint\.json$/;

/** Returns the directory URI to load for a model reference (newest committed checkpoint of a run, or the dir itself). */
export async function resolveModelDir(ref: string, opts: StoreOptions = {}): Promise<string> {
  const uri = modelDirUri(ref);
  const store = openStore(uri, opts);
  try {
    if ((await store.head('config.json')) || (await store.head('checkpoint.json'))) return uri;
    let best: { dir: string; step: number } | null = null;
    for await (const { key } of store.list('')) {
      const m = COMMITTED.exec(key);
      if (!m) continue;
      const step = Number(m[2]);
      if (best === null || step > best.step || (step === best.step && m[1]! > best.dir)) best = { dir: m[1]!, step };
    }
    if (best === null) throw new EvalConfigError(`model ${uri}: has no config.json, checkpoint.json or committed checkpoints (stages/*/checkpoints/step-*/checkpoint.json)`, 'model');
    return `${uri}/${best.dir}`;
  } finally {
    closeStore(store);
  }
}
