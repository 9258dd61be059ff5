// HF-layout SigLIP weights ↔ sigforge parameters. Checkpoint folders are read through ObjectStore by
// model/eval/load-model.ts (`sigforge eval --model`); this file only maps tensors.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { fromHfLayout, toHfLayout } from './hf-layout.js';
import { ParamStore, towerSpecs } from './params.js';
import { encodeSafetensors, type HostTensor } from './safetensors.js';

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
