// Fine-tuning from official weights (`sigforge train --init <dir>`): the run's model config comes from an HF SigLIP /
// SigLIP 2 directory (config.json + model.safetensors, or its sharded index), the towers start from its tensors, and
// what the checkpoint lacks (the LocCa decoder; distillation heads later) is initialised fresh and reported.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModelConfig, parseModelConfig } from '../config.js';
import { loadHfCheckpoint } from '../hf-checkpoint.js';
import { modelConfigFromHf } from '../hf-config.js';
import { type AdamWConfig } from '../optimizer.js';
import { createTrainModel, disposeTrainModel, type TrainModel } from '../train-step.js';
import { AlreadyExistsError, joinKey } from '../../storage/index.js';
import { CompactVocab, GEMMA } from '../tokenizer.js';
import { type RunLocation } from './checkpoint.js';
import { TrainCheckpointError } from './errors.js';

/** A local directory path from a path or file:// URI (S3 init directories are not supported yet). */
export function initDir(ref: string): string {
  if (ref.startsWith('file:')) return fileURLToPath(ref);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw new TrainCheckpointError('--init needs a local directory or file:// URI', ref);
  return path.resolve(ref);
}

/** The run's model config from an HF directory's config.json; LocCa decoder at half the text depth when wanted. */
export async function initModelConfig(ref: string, opts: { locca: boolean }): Promise<ModelConfig> {
  const dir = initDir(ref);
  const file = path.join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new TrainCheckpointError(`--init needs a readable HF config.json (${(cause as Error).message})`, dir, { cause });
  }
  const hf = modelConfigFromHf(json, file);
  return parseModelConfig({
    ...hf,
    name: `init:${path.basename(dir)}`,
    // Recipe §3: the decoder has half the text depth; §4: self-distillation weight of the B size when not known.
    decoderDepth: opts.locca ? Math.max(1, Math.round(hf.text.depth / 2)) : 0,
    sdWeight: 0.25,
  });
}

/** A train model whose towers hold the HF directory's weights; `initialised` lists the parameters made fresh. */
export async function initTrainModel(
  ref: string,
  config: ModelConfig,
  opts: { seed?: number; optimizer?: Partial<AdamWConfig> } = {},
): Promise<{ model: TrainModel; loaded: string[]; initialised: string[] }> {
  const dir = initDir(ref);
  const ckpt = await loadHfCheckpoint(dir);
  const model = createTrainModel(config, opts);
  const loaded: string[] = [];
  try {
    for (const [name, v] of ckpt.params.vars) {
      const target = model.params.vars.get(name);
      if (!target || target.shape.join(',') !== v.shape.join(',')) {
        throw new TrainCheckpointError(`tensor "${name}" [${v.shape.join(',')}] does not fit the run's model (${target ? `[${target.shape.join(',')}]` : 'no such parameter'})`, dir);
      }
      target.assign(v);
      loaded.push(name);
    }
  } catch (err) {
    disposeTrainModel(model);
    throw err;
  } finally {
    ckpt.params.dispose();
  }
  const have = new Set(loaded);
  return { model, loaded, initialised: [...model.params.vars.keys()].filter((k) => !have.has(k)) };
}

/**
 * Takes the run's vocabulary from the init directory: its vocab.json (a compact Gemma table) becomes `<run>/vocab.json`
 * before the run's text pipe is built; a checkpoint with Gemma's full table needs none; anything else is refused.
 */
export async function seedRunVocab(run: RunLocation, ref: string, config: ModelConfig): Promise<void> {
  if (config.text.vocabSize >= GEMMA.vocabSize) return;
  const dir = initDir(ref);
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, 'vocab.json'));
  } catch (cause) {
    throw new TrainCheckpointError(`its vocabulary has ${config.text.vocabSize} entries, fewer than Gemma's ${GEMMA.vocabSize}, and no vocab.json maps Gemma ids into it: its tokenizer is not supported`, dir, { cause });
  }
  CompactVocab.fromJSON(JSON.parse(bytes.toString('utf8')));
  try {
    await run.store.putIfAbsent(joinKey(run.prefix, 'vocab.json'), new Uint8Array(bytes));
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const existing = Buffer.from(await run.store.get(joinKey(run.prefix, 'vocab.json')));
    if (!existing.equals(bytes)) throw new TrainCheckpointError('the run already has a vocab.json that differs from the --init directory\'s', run.store.uri(run.prefix));
  }
}

/** Writes `<run>/init.json`: where the towers came from and which parameters were initialised fresh. */
export async function writeInitReport(run: RunLocation, ref: string, loaded: readonly string[], initialised: readonly string[]): Promise<void> {
  const body = { from: ref, loaded: loaded.length, initialised: [...initialised] };
  await run.store.put(joinKey(run.prefix, 'init.json'), new TextEncoder().encode(`${JSON.stringify(body, null, 2)}\n`));
}
