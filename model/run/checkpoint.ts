// Checkpoints on storage (ARCHITECTURE.md): `<run>/stages/<stage>/checkpoints/step-NNNNNNN/` holds
// model.safetensors (HF parameter names, kernels in [in, out] layout), optimizer.safetensors ("m/<name>", "v/<name>"),
// teacher.safetensors when self-distillation is on ("<name>" of the EMA teacher, "center/global", "center/patch"),
// and checkpoint.json, written last: the checkpoint exists iff checkpoint.json does.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { joinKey, NotFoundError, type ObjectStore } from '../../storage/index.js';
import { type CheckpointMeta, checkpointKey, checkpointMetaSchema, checkpointsPrefix, type RunLocation } from '../checkpoint-layout.js';
import { AdamW, type AdamWConfig } from '../optimizer.js';
import { ParamStore } from '../params.js';
import { decodeSafetensors, encodeSafetensors, type HostTensor } from '../safetensors.js';
import { type TrainModel } from '../train-step.js';
import { TrainCheckpointError } from './errors.js';

// The schema and key layout live in ../checkpoint-layout.ts (shared with the evaluation loader).
export { type CheckpointMeta, checkpointKey, checkpointMetaSchema, checkpointsPrefix, type RunLocation };

/** A tensor's values on the host (an asynchronous read: a synchronous one stalls a GPU and throws on webgpu). */
async function hostOf(t: tf.Tensor): Promise<HostTensor> {
  return { dtype: t.dtype === 'int32' ? 'int32' : 'float32', shape: [...t.shape], data: (await t.data()) as Float32Array | Int32Array };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a checkpoint (tensor files first, checkpoint.json last); rewriting the same step is harmless. */
export async function saveCheckpoint(
  run: RunLocation,
  stage: string,
  model: TrainModel,
  state: { step: number; loader: CheckpointMeta['loader']; seed: number },
): Promise<CheckpointMeta> {
  const dir = checkpointKey(run, stage, state.step);
  const files: Record<string, Uint8Array> = {};
  const params = new Map<string, HostTensor>();
  for (const [name, v] of model.params.vars) params.set(name, await hostOf(v));
  files['model.safetensors'] = encodeSafetensors(params);
  const opt = new Map<string, HostTensor>();
  for (const [name, t] of model.optimizer.stateTensors()) opt.set(name, await hostOf(t));
  files['optimizer.safetensors'] = encodeSafetensors(opt);
  if (model.distill) {
    const teacher = new Map<string, HostTensor>();
    for (const [name, v] of model.distill.teacher.vars) teacher.set(name, await hostOf(v));
    teacher.set('center/global', await hostOf(model.distill.centerGlobal));
    teacher.set('center/patch', await hostOf(model.distill.centerPatch));
    files['teacher.safetensors'] = encodeSafetensors(teacher);
  }
  const meta: CheckpointMeta = {
    format: 'sigforge-checkpoint',
    version: 1,
    stage,
    step: state.step,
    optimizerStep: model.optimizer.step,
    model: model.config,
    loader: state.loader,
    rng: { seed: state.seed },
    distill: model.distill ? { momentum: model.distill.momentum } : null,
    files: {},
    paramOrder: [...model.params.vars.keys()],
    createdAt: new Date().toISOString(),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const r = await run.store.put(joinKey(dir, name), bytes);
    meta.files[name] = { bytes: r.size, sha256: r.sha256 };
  }
  await run.store.put(joinKey(dir, 'checkpoint.json'), new TextEncoder().encode(`${JSON.stringify(meta, null, 2)}\n`));
  return meta;
}

/** Committed checkpoint steps of a stage, ascending. */
export async function listCheckpoints(run: RunLocation, stage: string): Promise<number[]> {
  const steps: number[] = [];
  const re = /\/step-(\d{7,})\/checkpoint\.json$/;
  for await (const { key } of run.store.list(`${checkpointsPrefix(run, stage)}/`)) {
    const m = re.exec(key);
    if (m) steps.push(Number(m[1]));
  }
  return steps.sort((a, b) => a - b);
}

/** Reads and validates checkpoint.json of a checkpoint directory key. */
export async function readCheckpointMeta(store: ObjectStore, dir: string): Promise<CheckpointMeta> {
  const uri = store.uri(dir);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(joinKey(dir, 'checkpoint.json'));
  } catch (err) {
    if (err instanceof NotFoundError) throw new TrainCheckpointError('no committed checkpoint (checkpoint.json is missing)', uri, { cause: err });
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new TrainCheckpointError(`checkpoint.json is not JSON (${(err as Error).message})`, uri, { cause: err });
  }
  const r = checkpointMetaSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new TrainCheckpointError(`checkpoint.json: ${i.path.join('.')}: ${i.message}`, uri, { cause: r.error });
  }
  return r.data;
}

/** Reads one tensor file of a checkpoint, checking its recorded size and sha256. */
export async function readCheckpointFile(store: ObjectStore, dir: string, meta: CheckpointMeta, name: string): Promise<Map<string, HostTensor>> {
  const want = meta.files[name];
  const uri = store.uri(joinKey(dir, name));
  if (!want) throw new TrainCheckpointError(`has no ${name}`, store.uri(dir));
  const bytes = await store.get(joinKey(dir, name));
  const got = sha256(bytes);
  if (bytes.byteLength !== want.bytes || got !== want.sha256) {
    throw new TrainCheckpointError(`is ${bytes.byteLength} bytes with sha256 ${got}; checkpoint.json records ${want.bytes} bytes, ${want.sha256}`, uri);
  }
  return decodeSafetensors(bytes, uri).tensors;
}

function toTensors(host: Map<string, HostTensor>, filter: (name: string) => boolean = () => true): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, t] of host) if (filter(name)) out.set(name, tf.tensor(t.data, [...t.shape], t.dtype));
  return out;
}

/** Restores a TrainModel from a checkpoint directory (weights, optimizer moments and step, teacher and centers). */
export async function loadCheckpoint(store: ObjectStore, dir: string, optimizer: Partial<AdamWConfig>): Promise<{ model: TrainModel; meta: CheckpointMeta }> {
  const meta = await readCheckpointMeta(store, dir);
  const loaded = toTensors(await readCheckpointFile(store, dir, meta, 'model.safetensors'));
  const ordered = new Map<string, tf.Tensor>();
  for (const name of meta.paramOrder) {
    const t = loaded.get(name);
    if (!t) throw new TrainCheckpointError(`model.safetensors has no parameter ${name}`, store.uri(dir));
    ordered.set(name, t);
  }
  if (ordered.size !== loaded.size) throw new TrainCheckpointError(`model.safetensors holds ${loaded.size} tensors, checkpoint.json lists ${ordered.size}`, store.uri(dir));
  const params = ParamStore.fromTensors(ordered);
  const opt = new AdamW(optimizer);
  const moments = toTensors(await readCheckpointFile(store, dir, meta, 'optimizer.safetensors'));
  opt.loadState(moments, meta.optimizerStep);
  tf.dispose([...moments.values()]);
  const model: TrainModel = { config: meta.model, params, optimizer: opt };
  if (meta.distill) {
    const t = await readCheckpointFile(store, dir, meta, 'teacher.safetensors');
    const center = (k: string): tf.Variable => {
      const h = t.get(k);
      if (!h) throw new TrainCheckpointError(`teacher.safetensors has no ${k}`, store.uri(dir));
      return tf.variable(tf.tensor(h.data, [...h.shape]), false);
    };
    model.distill = {
      teacher: ParamStore.fromTensors(toTensors(t, (n) => !n.startsWith('center/')), false),
      centerGlobal: center('center/global'),
      centerPatch: center('center/patch'),
      momentum: meta.distill.momentum,
    };
  }
  return { model, meta };
}

/** Deletes regular checkpoints beyond the newest `keep`, sparing `marks`; uncommits (checkpoint.json) first. */
export async function pruneCheckpoints(run: RunLocation, stage: string, keep: number, marks: readonly number[]): Promise<number[]> {
  const steps = await listCheckpoints(run, stage);
  const doomed = steps.slice(0, Math.max(0, steps.length - keep)).filter((s) => !marks.includes(s));
  for (const step of doomed) {
    const dir = checkpointKey(run, stage, step);
    await run.store.delete(joinKey(dir, 'checkpoint.json'));
    for await (const { key } of run.store.list(`${dir}/`)) await run.store.delete(key);
  }
  return doomed;
}
