// Whole training state (parameters, AdamW moments and step, EMA teacher and centers, config) as one safetensors
// buffer, so a training activity can checkpoint and resume exactly. Parameters are in sigforge layout under
// "param/<HF name>"; HF-layout export is hf-checkpoint.ts.
import * as tf from '@tensorflow/tfjs';
import { parseModelConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { AdamW } from './optimizer.js';
import { ParamStore } from './params.js';
import { type HostTensor, decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { type TrainModel } from './train-step.js';

async function host(t: tf.Tensor): Promise<HostTensor> {
  return t.dtype === 'int32'
    ? { dtype: 'int32', shape: t.shape, data: (await t.data()) as Int32Array }
    : { dtype: 'float32', shape: t.shape, data: (await t.data()) as Float32Array };
}

/** Serializes a TrainModel (metadata: config, optimizer config and step, teacher momentum). */
export async function trainStateBytes(model: TrainModel): Promise<Uint8Array> {
  const out = new Map<string, HostTensor>();
  for (const [name, v] of model.params.vars) out.set(`param/${name}`, await host(v));
  for (const [name, t] of model.optimizer.stateTensors()) out.set(`adam/${name}`, await host(t));
  if (model.distill) {
    for (const [name, v] of model.distill.teacher.vars) out.set(`teacher/${name}`, await host(v));
    out.set('center/global', await host(model.distill.centerGlobal));
    out.set('center/patch', await host(model.distill.centerPatch));
  }
  const meta: Record<string, string> = {
    format: 'sigforge-train-state-v1',
    config: JSON.stringify(model.config),
    optimizer: JSON.stringify(model.optimizer.config),
    step: String(model.optimizer.step),
  };
  if (model.distill) meta.momentum = String(model.distill.momentum);
  return encodeSafetensors(out, meta);
}

/** Restores a TrainModel written by trainStateBytes (the caller disposes it with disposeTrainModel). */
export function loadTrainState(bytes: Uint8Array, where = '(train state)'): TrainModel {
  const { tensors, metadata } = decodeSafetensors(bytes, where);
  if (metadata.format !== 'sigforge-train-state-v1') {
    throw new CheckpointError(`not a sigforge train state (format ${JSON.stringify(metadata.format)})`, where);
  }
  let config;
  let optConfig;
  try {
    config = parseModelConfig(JSON.parse(metadata.config ?? 'null'));
    optConfig = JSON.parse(metadata.optimizer ?? '{}') as Record<string, unknown>;
  } catch (cause) {
    throw new CheckpointError('config metadata is invalid', where, { cause });
  }
  const groups = { param: new Map<string, tf.Tensor>(), adam: new Map<string, tf.Tensor>(), teacher: new Map<string, tf.Tensor>(), center: new Map<string, tf.Tensor>() };
  for (const [key, t] of tensors) {
    const slash = key.indexOf('/');
    const group = groups[key.slice(0, slash) as keyof typeof groups];
    if (!group) throw new CheckpointError(`unexpected tensor "${key}"`, where);
    group.set(key.slice(slash + 1), tf.tensor(t.data, [...t.shape], t.dtype));
  }
  const optimizer = new AdamW(optConfig);
  optimizer.loadState(groups.adam, Number(metadata.step ?? 0));
  tf.dispose([...groups.adam.values()]);
  const model: TrainModel = { config, params: ParamStore.fromTensors(groups.param), optimizer };
  if (groups.teacher.size > 0) {
    const g = groups.center.get('global');
    const p = groups.center.get('patch');
    if (!g || !p) throw new CheckpointError('teacher present but centers missing', where);
    model.distill = {
      teacher: ParamStore.fromTensors(groups.teacher, false),
      centerGlobal: tf.variable(g, false),
      centerPatch: tf.variable(p, false),
      momentum: Number(metadata.momentum ?? 0.99),
    };
    g.dispose();
    p.dispose();
  }
  return model;
}
