// Import and export of HF-layout SigLIP checkpoints (config.json + model.safetensors).
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { fromHfLayout, toHfLayout } from './hf-layout.js';
import { hfConfigFromModel, modelConfigFromHf } from './hf-config.js';
import { ParamStore, towerSpecs } from './params.js';
import { decodeTensor, encodeSafetensors, headerLength, type HostTensor, parseHeader } from './safetensors.js';

export interface LoadedCheckpoint {
  readonly config: ModelConfig;
  readonly params: ParamStore;
  /** Tensors in the file that the model does not use (e.g. an unused text-head variant). */
  readonly unused: string[];
}

/** Builds tower parameters from HF-layout tensors, checking every expected name and shape. */
export function paramsFromHfTensors(config: ModelConfig, tensors: Map<string, HostTensor>, where: string): LoadedCheckpoint {
  const specs = towerSpecs(config);
  const out = new Map<string, tf.Tensor>();
  try {
    for (const [name, spec] of specs) {
      const raw = tensors.get(name);
      if (!raw) throw new CheckpointError(`tensor "${name}" is missing`, where);
      const t = fromHfLayout(name, raw, where);
      if (t.shape.length !== spec.shape.length || t.shape.some((s, i) => s !== spec.shape[i])) {
        throw new CheckpointError(`tensor "${name}" has shape [${t.shape.join(',')}] (sigforge layout), expected [${spec.shape.join(',')}]`, where);
      }
      out.set(name, tf.tensor(t.data, [...t.shape], 'float32'));
    }
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  }
  const unused = [...tensors.keys()].filter((k) => !specs.has(k));
  return { config, params: ParamStore.fromTensors(out), unused };
}

/** Reads model.safetensors, or the shards listed in model.safetensors.index.json (large checkpoints). */
async function readWeights(dir: string): Promise<{ tensors: Map<string, HostTensor>; where: string }> {
  const single = path.join(dir, 'model.safetensors');
  const indexPath = path.join(dir, 'model.safetensors.index.json');
  let indexText: string | undefined;
  try {
    indexText = await readFile(indexPath, 'utf8');
  } catch {
    return { tensors: await readSafetensorsFile(single, dir), where: single };
  }
  let weightMap: Record<string, string>;
  try {
    weightMap = (JSON.parse(indexText) as { weight_map: Record<string, string> }).weight_map;
    if (typeof weightMap !== 'object' || weightMap === null) throw new Error('weight_map is not an object');
  } catch (cause) {
    throw new CheckpointError('sharded-checkpoint index needs a weight_map object', indexPath, { cause });
  }
  const tensors = new Map<string, HostTensor>();
  for (const shard of new Set(Object.values(weightMap))) {
    if (path.basename(shard) !== shard) throw new CheckpointError(`shard name "${shard}" must be a plain file name`, indexPath);
    for (const [k, v] of await readSafetensorsFile(path.join(dir, shard), dir)) tensors.set(k, v);
  }
  return { tensors, where: indexPath };
}

/** Loads an HF SigLIP / SigLIP 2 checkpoint directory (config.json + model.safetensors or its sharded index). */
export async function loadHfCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const cfgPath = path.join(dir, 'config.json');
  let cfgText: string;
  try {
    cfgText = await readFile(cfgPath, 'utf8');
  } catch (cause) {
    throw new CheckpointError('checkpoint directory needs config.json and model.safetensors', dir, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(cfgText);
  } catch (cause) {
    throw new CheckpointError('not valid JSON', cfgPath, { cause });
  }
  const config = modelConfigFromHf(json, cfgPath);
  const { tensors, where } = await readWeights(dir);
  return paramsFromHfTensors(config, tensors, where);
}

/** Reads a safetensors file tensor by tensor (no whole-file buffer, so multi-GB checkpoints load). */
export async function readSafetensorsFile(file: string, dir = path.dirname(file)): Promise<Map<string, HostTensor>> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (cause) {
    throw new CheckpointError('checkpoint directory needs config.json and model.safetensors', dir, { cause });
  }
  try {
    const size = (await fh.stat()).size;
    const first = new Uint8Array(8);
    await fh.read(first, 0, 8, 0);
    const n = headerLength(first, size, file);
    const json = new Uint8Array(n);
    await fh.read(json, 0, n, 8);
    const { entries } = parseHeader(json, size - 8 - n, file);
    const out = new Map<string, HostTensor>();
    for (const [name, e] of entries) {
      const bytes = new Uint8Array(e.end - e.start);
      await fh.read(bytes, 0, bytes.byteLength, 8 + n + e.start);
      out.set(name, decodeTensor(name, e.dtype, e.shape, bytes, file));
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** Serializes the tower parameters in HF names and layouts (a model.safetensors an HF SiglipModel can load). */
export async function hfSafetensorsBytes(config: ModelConfig, params: ParamStore): Promise<Uint8Array> {
  const tensors = new Map<string, HostTensor>();
  for (const name of towerSpecs(config).keys()) {
    const t = params.get(name);
    const host: HostTensor = { dtype: 'float32', shape: t.shape, data: (await t.data()) as Float32Array };
    tensors.set(name, toHfLayout(name, host, config));
  }
  return encodeSafetensors(tensors, { format: 'pt' });
}

async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** Writes an HF checkpoint directory (model.safetensors, then config.json last, each atomically). */
export async function saveHfCheckpoint(dir: string, config: ModelConfig, params: ParamStore): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(path.join(dir, 'model.safetensors'), await hfSafetensorsBytes(config, params));
  await writeAtomic(path.join(dir, 'config.json'), `${JSON.stringify(hfConfigFromModel(config), null, 2)}\n`);
}
