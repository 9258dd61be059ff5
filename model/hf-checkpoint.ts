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

/** Loads an HF SigLIP / SigLIP 2 checkpoint directory (config.json + model.safetensors). */
export async function loadHfCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const cfgPath = path.join(dir, 'config.json');
  const wPath = path.join(dir, 'model.safetensors');
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
  return paramsFromHfTensors(config, await readSafetensorsFile(wPath, dir), wPath);
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
