// One optimizer step over every loss of the recipe's current stage (§7.1): sigmoid + LocCa, plus self-distillation
// and masked prediction once distillation is switched on.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { decoderSpecs } from './decoder.js';
import { createTeacher, distillHead, distillSpecs, distillWeights, emaUpdate, headDims } from './distill.js';
import { ModelError } from './errors.js';
import { chunkedSigmoidLoss, sigmoidLoss } from './losses/sigmoid.js';
import { hostCount } from './losses/counts.js';
import { type LoccaTask, loccaLoss, loccaWeightedLoss, tokenCount } from './losses/locca.js';
import { distillCrossEntropy, localToGlobalLoss, teacherProbs, updateCenter } from './losses/distill.js';
import { AdamW, type AdamWConfig, type StepInfo } from './optimizer.js';
import { type ParamGetter, ParamStore, towerSpecs } from './params.js';
import { siglipForward } from './siglip.js';
import { type Pending, readAllSync } from './step-metrics.js';
import { type FixedImages, type VisionInput, visionTower } from './vision.js';

/** Distillation state, present after switch-on. */
export interface DistillState {
  readonly teacher: ParamStore;
  readonly centerGlobal: tf.Variable;
  readonly centerPatch: tf.Variable;
  /** EMA momentum of the teacher (constant, recipe §4). */
  readonly momentum: number;
}

/** Everything a training step updates. */
export interface TrainModel {
  readonly config: ModelConfig;
  readonly params: ParamStore;
  readonly optimizer: AdamW;
  distill?: DistillState;
}

/** Creates fresh parameters (towers, and the LocCa decoder when decoderDepth > 0) and an AdamW optimizer. */
export function createTrainModel(config: ModelConfig, opts: { seed?: number; optimizer?: Partial<AdamWConfig> } = {}): TrainModel {
  const specs = towerSpecs(config);
  if (config.decoderDepth > 0) for (const [k, v] of decoderSpecs(config)) specs.set(k, v);
  return { config, params: ParamStore.init(specs, opts.seed ?? 0), optimizer: new AdamW(opts.optimizer) };
}

/** A non-trainable zero vector variable (the zeros it is made from are released: variables are not tidied). */
function zerosVariable(k: number): tf.Variable {
  const zeros = tf.zeros([k]);
  const v = tf.variable(zeros, false);
  zeros.dispose();
  return v;
}

/** Switch-on of self-distillation: fresh heads and mask token, teacher = copy of the student (recipe §4). */
export function enableDistillation(model: TrainModel, opts: { momentum?: number; seed?: number } = {}): void {
  if (model.distill) throw new ModelError('distillation is already enabled');
  model.params.merge(ParamStore.init(distillSpecs(model.config), opts.seed ?? 1));
  const k = headDims(model.config).prototypes;
  model.distill = {
    teacher: createTeacher(model.params),
    centerGlobal: zerosVariable(k),
    centerPatch: zerosVariable(k),
    momentum: opts.momentum ?? 0.99,
  };
}

/** Extra augmented views for the distillation terms. */
export interface DistillBatch {
  /** One global view per row [B, H, W, 3] (teacher input; also the masked student input). */
  readonly global: FixedImages;
  /** Local views, each [B, h, w, 3] (student inputs). */
  readonly locals: readonly FixedImages[];
  /** [B, N] 0/1 patches of the global view the student sees as the mask token. */
  readonly patchMask: tf.Tensor2D;
  /** Σ patchMask, known on the host (required on GPU backends, where reading the mask back would stall). */
  readonly maskedPatches?: number;
}

export interface TrainBatch {
  readonly images: VisionInput;
  /** Token ids [B, T] int32 in the model vocabulary. */
  readonly ids: tf.Tensor2D;
  /** LocCa tasks (captioning, ARef, GCap); skipped when absent or when the model has no decoder. */
  readonly locca?: readonly LoccaTask[];
  /** Views for self-distillation and masked prediction; used only after enableDistillation. */
  readonly distill?: DistillBatch;
}

export interface TrainStepOptions {
  /** Compute the sigmoid loss as on this many devices (1 = full). */
  readonly sigmoidChunks?: number;
  /** Teacher temperature (default 0.04; the recipe warms it up to 0.07, which the caller schedules). */
  readonly tauT?: number;
  /** Student temperature (default 0.1). */
  readonly tauS?: number;
  /** Rows of the vocabulary softmax computed at once. */
  readonly loccaChunkRows?: number;
}

export interface TrainStepResult {
  readonly step: number;
  readonly loss: number;
  readonly sigmoid: number;
  readonly locca: number;
  readonly l2g: number;
  readonly mask: number;
  readonly gradNorm: number;
  readonly multiplier: number;
}

interface TeacherTargets {
  global: tf.Tensor;
  patch: tf.Tensor;
}

/** Teacher targets of a distillation batch from the current centers, with the teacher logits' row means. */
function teacherOutputs(model: TrainModel, d: DistillBatch, tauT: number): TeacherTargets & { meanGlobal: tf.Tensor; meanPatch: tf.Tensor } {
  const s = model.distill!;
  return tf.tidy(() => {
    const out = visionTower(s.teacher.get, model.config, d.global);
    const g = distillHead(s.teacher.get, 'global_head', out.pooled);
    const pch = distillHead(s.teacher.get, 'patch_head', out.tokens);
    return {
      global: teacherProbs(g, s.centerGlobal, tauT),
      patch: teacherProbs(pch, s.centerPatch, tauT),
      meanGlobal: tf.mean(g, 0),
      meanPatch: tf.mean(tf.reshape(pch, [-1, pch.shape[pch.rank - 1]!]), 0),
    };
  });
}

/** Moves the teacher centers toward the mean of these row means (one per equal-sized batch or micro-batch). */
function updateCenters(s: DistillState, outputs: readonly { meanGlobal: tf.Tensor; meanPatch: tf.Tensor }[]): void {
  tf.tidy(() => {
    s.centerGlobal.assign(updateCenter(s.centerGlobal, tf.stack(outputs.map((t) => t.meanGlobal))));
    s.centerPatch.assign(updateCenter(s.centerPatch, tf.stack(outputs.map((t) => t.meanPatch))));
  });
  tf.dispose(outputs.flatMap((t) => [t.meanGlobal, t.meanPatch]));
}

function teacherTargets(model: TrainModel, d: DistillBatch, tauT: number): TeacherTargets {
  const t = teacherOutputs(model, d, tauT);
  updateCenters(model.distill!, [t]);
  return { global: t.global, patch: t.patch };
}

/** The trainable variables, and each one's parameter name by variable name (what variableGrads keys by). */
function trainableVars(params: ParamStore): { varList: tf.Variable[]; varNames: Map<string, string> } {
  const varNames = new Map<string, string>();
  const varList: tf.Variable[] = [];
  for (const [name, v] of params.vars) {
    if (!v.trainable) continue;
    varNames.set(v.name, name);
    varList.push(v);
  }
  return { varList, varNames };
}

/** Self-distillation terms of one batch (recipe §4): local-to-global and masked-patch prediction, unweighted. */
function distillTerms(p: ParamGetter, c: ModelConfig, d: DistillBatch, teacher: TeacherTargets, tauS: number): { l2g: tf.Scalar; mask: tf.Scalar } {
  const locals = d.locals.map((v) => distillHead(p, 'global_head', visionTower(p, c, v).pooled));
  const l2g = localToGlobalLoss(teacher.global, tf.concat(locals, 0), tauS);
  const masked = visionTower(p, c, d.global, { maskPatches: d.patchMask, maskToken: p('sd.mask_token') });
  const k = teacher.patch.shape[teacher.patch.rank - 1]!;
  const mask = distillCrossEntropy(tf.reshape(teacher.patch, [-1, k]), tf.reshape(distillHead(p, 'patch_head', masked.tokens), [-1, k]), tauS, tf.reshape(d.patchMask, [-1]));
  return { l2g, mask };
}

/** The StepInfo's gradient norm as a pending tensor list and a getter of its value. */
function pendingNorm(info: StepInfo): { tensors: tf.Tensor[]; value: (values: readonly number[]) => number } {
  const norm = info.gradNorm;
  if (typeof norm === 'number') return { tensors: [], value: () => norm };
  return { tensors: [norm], value: (v) => v.at(-1)! };
}

/**
 * Runs forward, backward and one AdamW update (then the teacher EMA) without reading anything back: the loss terms
 * stay on the device until readAll (step-metrics.ts) (one read for many steps).
 */
export function trainStepDeferred(model: TrainModel, batch: TrainBatch, opts: TrainStepOptions = {}): Pending<TrainStepResult> {
  const { config: c, params } = model;
  const p = params.get;
  const useDistill = model.distill !== undefined && batch.distill !== undefined;
  const teacher = useDistill ? teacherTargets(model, batch.distill!, opts.tauT ?? 0.04) : undefined;
  const parts: Partial<Record<'sigmoid' | 'locca' | 'l2g' | 'mask', tf.Scalar>> = {};
  const { varList, varNames } = trainableVars(params);
  const { value, grads } = tf.variableGrads(() => {
    const out = siglipForward(p, c, batch.images, batch.ids);
    const chunks = opts.sigmoidChunks ?? 1;
    const sig = chunks > 1 ? chunkedSigmoidLoss(out.zimg, out.ztxt, p('logit_scale'), p('logit_bias'), chunks) : sigmoidLoss(out.zimg, out.ztxt, p('logit_scale'), p('logit_bias'));
    parts.sigmoid = tf.keep(sig);
    let total: tf.Tensor = sig;
    if (c.decoderDepth > 0 && batch.locca && batch.locca.length > 0) {
      const imageMask = batch.images.kind === 'naflex' ? batch.images.mask : undefined;
      const loc = loccaLoss(p, c, batch.locca, out.imageTokens, imageMask, opts.loccaChunkRows);
      parts.locca = tf.keep(loc);
      total = tf.add(total, loc);
    }
    if (useDistill && teacher) {
      const w = distillWeights(c);
      const { l2g, mask } = distillTerms(p, c, batch.distill!, teacher, opts.tauS ?? 0.1);
      parts.l2g = tf.keep(l2g);
      parts.mask = tf.keep(mask);
      total = tf.add(total, tf.add(tf.mul(l2g, w.l2g), tf.mul(mask, w.mask)));
    }
    return total as tf.Scalar;
  }, varList);
  const named: Record<string, tf.Tensor> = {};
  for (const [vn, g] of Object.entries(grads)) named[varNames.get(vn)!] = g;
  const info = model.optimizer.apply(params, named);
  tf.dispose(grads);
  if (teacher) {
    tf.dispose([teacher.global, teacher.patch]);
    emaUpdate(model.distill!.teacher, params, model.distill!.momentum);
  }
  const names = (['sigmoid', 'locca', 'l2g', 'mask'] as const).filter((n) => parts[n] !== undefined);
  const norm = pendingNorm(info);
  const step = model.optimizer.step;
  return {
    tensors: [value, ...names.map((n) => parts[n]!), ...norm.tensors],
    finish: (v) => {
      const terms = { sigmoid: 0, locca: 0, l2g: 0, mask: 0 };
      names.forEach((n, i) => (terms[n] = v[1 + i]!));
      return { step, loss: v[0]!, ...terms, gradNorm: norm.value(v), multiplier: info.multiplier };
    },
  };
}

/** {@link trainStepDeferred} read at once (cpu/wasm only: on a GPU that read would stall every step). */
export function trainStep(model: TrainModel, batch: TrainBatch, opts: TrainStepOptions = {}): TrainStepResult {
  return readAllSync([trainStepDeferred(model, batch, opts)])[0]!;
}

/** {@link trainStepAccumulatedDeferred} read at once (cpu/wasm only). */
export function trainStepAccumulated(model: TrainModel, micros: readonly TrainBatch[], opts: TrainStepOptions = {}): TrainStepResult {
  return readAllSync([trainStepAccumulatedDeferred(model, micros, opts)])[0]!;
}

/** The whole batch's normalizers: supervised tokens per LocCa task (per micro-batch and in all), masked patches. */
interface Normalizers {
  readonly taskTokens: number[][];
  readonly taskTotals: number[];
  readonly activeTasks: number;
  readonly maskedPatches: number[];
  readonly maskedTotal: number;
}

function normalizers(micros: readonly TrainBatch[], useLocca: boolean, useDistill: boolean): Normalizers {
  const tasks = useLocca ? micros[0]!.locca!.length : 0;
  const taskTokens = micros.map((b) => (useLocca ? b.locca!.map(tokenCount) : []));
  const taskTotals = Array.from({ length: tasks }, (_, j) => taskTokens.reduce((a, t) => a + t[j]!, 0));
  const maskedPatches = useDistill ? micros.map((b) => hostCount(b.distill!.patchMask, b.distill!.maskedPatches, 'distill patchMask', 'maskedPatches')) : [];
  return {
    taskTokens,
    taskTotals,
    activeTasks: taskTotals.filter((t) => t > 0).length,
    maskedPatches,
    maskedTotal: Math.max(1, maskedPatches.reduce((a, b) => a + b, 0)),
  };
}

/** Passes (1) and (2): every micro-batch's embeddings without a tape, the whole batch's sigmoid loss and its gradients. */
function sigmoidOfAll(model: TrainModel, micros: readonly TrainBatch[], sizes: number[], chunks: number) {
  const { config: c, params } = model;
  const p = params.get;
  const emb = micros.map((b) =>
    tf.tidy(() => {
      const o = siglipForward(p, c, b.images, b.ids);
      return [o.zimg, o.ztxt] as const;
    }),
  );
  const sigFn = (zi: tf.Tensor, zt: tf.Tensor, s: tf.Tensor, b: tf.Tensor): tf.Scalar =>
    chunks > 1 ? chunkedSigmoidLoss(zi, zt, s, b, chunks) : sigmoidLoss(zi, zt, s, b);
  const out = tf.tidy(() => {
    const zi = tf.concat(emb.map((e) => e[0]), 0);
    const zt = tf.concat(emb.map((e) => e[1]), 0);
    const { value, grads } = tf.valueAndGrads(sigFn)([zi, zt, p('logit_scale'), p('logit_bias')]);
    return { sig: value, gImg: tf.split(grads[0]!, sizes, 0), gTxt: tf.split(grads[1]!, sizes, 0), gScale: grads[2]!, gBias: grads[3]! };
  });
  tf.dispose(emb.flat());
  return out;
}

/** This micro-batch's loss terms (kept scalars, read later), each already scaled to its share of the whole batch. */
interface MicroTerms {
  locca?: tf.Scalar;
  l2g?: tf.Scalar;
  mask?: tf.Scalar;
}

interface MicroContext {
  readonly model: TrainModel;
  readonly opts: TrainStepOptions;
  readonly norm: Normalizers;
  readonly teacher: readonly TeacherTargets[];
  readonly sizes: readonly number[];
  readonly n: number;
  readonly useLocca: boolean;
  readonly useDistill: boolean;
}

/** Pass (3) for micro-batch k: its parameter gradients (cached embedding gradients plus its share of the rest). */
function microGradients(x: MicroContext, b: TrainBatch, k: number, gImg: tf.Tensor, gTxt: tf.Tensor, varList: tf.Variable[]) {
  const { config: c, params } = x.model;
  const p = params.get;
  const terms: MicroTerms = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = siglipForward(p, c, b.images, b.ids);
    let total: tf.Tensor = tf.add(tf.sum(tf.mul(out.zimg, gImg)), tf.sum(tf.mul(out.ztxt, gTxt)));
    if (x.useLocca) {
      const imageMask = b.images.kind === 'naflex' ? b.images.mask : undefined;
      // One decoder pass for all of this micro-batch's tasks, as loccaLoss does for the whole batch (losses/locca.ts).
      const { taskTokens, taskTotals, activeTasks } = x.norm;
      const js = b.locca!.map((_, j) => j).filter((j) => taskTokens[k]![j]! > 0);
      if (js.length > 0) {
        // The big batch divides task j's token sum by all its tokens and averages over active tasks.
        const scales = js.map((j) => 1 / (taskTotals[j]! * activeTasks));
        const l = loccaWeightedLoss(p, c, js.map((j) => b.locca![j]!), scales, out.imageTokens, imageMask, x.opts.loccaChunkRows);
        terms.locca = tf.keep(l);
        total = tf.add(total, l);
      }
    }
    if (x.useDistill) {
      const w = distillWeights(c);
      const d = distillTerms(p, c, b.distill!, x.teacher[k]!, x.opts.tauS ?? 0.1);
      const l = tf.mul(d.l2g, x.sizes[k]! / x.n);
      const mp = tf.mul(d.mask, x.norm.maskedPatches[k]! / x.norm.maskedTotal);
      terms.l2g = tf.keep(l as tf.Scalar);
      terms.mask = tf.keep(mp as tf.Scalar);
      total = tf.add(total, tf.add(tf.mul(l, w.l2g), tf.mul(mp, w.mask)));
    }
    return total as tf.Scalar;
  }, varList);
  value.dispose();
  return { grads, terms };
}

/**
 * One optimizer step over several micro-batches with the gradient of the **whole batch's** loss: the sigmoid loss
 * pairs every image with every text of all micro-batches (|B|² logits, as one big batch would), not only within a
 * micro-batch. Three passes (the GradCache scheme): (1) embed every micro-batch without a tape; (2) the sigmoid loss
 * of all embeddings and its gradient with respect to them (and to t′, b); (3) per micro-batch, forward again under
 * the tape and back-propagate the cached embedding gradients plus that micro-batch's share of the per-example losses
 * (LocCa, distillation), summing parameter gradients. Then one clipped AdamW update and one teacher EMA update.
 * Memory holds one micro-batch's activations at a time (plus [B, E] embeddings); compute is one extra forward.
 * Equal to `trainStep` on the concatenated batch up to float rounding (test/model/grad-accum.test.ts); the teacher
 * centers are updated once per step from the mean over all micro-batches, as the big batch would. Nothing is read
 * back: the loss terms stay on the device until readAll (step-metrics.ts).
 */
export function trainStepAccumulatedDeferred(model: TrainModel, micros: readonly TrainBatch[], opts: TrainStepOptions = {}): Pending<TrainStepResult> {
  if (micros.length === 0) throw new ModelError('trainStepAccumulated needs at least one micro-batch');
  if (micros.length === 1) return trainStepDeferred(model, micros[0]!, opts);
  const { config: c, params } = model;
  const sizes = micros.map((b) => b.ids.shape[0]);
  const useDistill = model.distill !== undefined && micros.every((b) => b.distill !== undefined);
  const useLocca = c.decoderDepth > 0 && micros.every((b) => b.locca && b.locca.length > 0);
  const tasks = useLocca ? micros[0]!.locca!.length : 0;
  if (useLocca && micros.some((b) => b.locca!.length !== tasks)) throw new ModelError('micro-batches carry different LocCa task lists');
  const { sig, gImg, gTxt, gScale, gBias } = sigmoidOfAll(model, micros, sizes, opts.sigmoidChunks ?? 1);
  const norm = normalizers(micros, useLocca, useDistill);
  // Teacher targets per micro-batch from the centers as they are at the start of the step.
  const teacher = useDistill ? micros.map((b) => teacherOutputs(model, b.distill!, opts.tauT ?? 0.04)) : [];
  const x: MicroContext = { model, opts, norm, teacher, sizes, n: sizes.reduce((a, b) => a + b, 0), useLocca, useDistill };
  const { varList, varNames } = trainableVars(params);
  const acc: Record<string, tf.Tensor> = {};
  const add = (name: string, g: tf.Tensor): void => {
    const prev = acc[name];
    acc[name] = prev ? tf.add(prev, g) : g;
    if (prev) tf.dispose([prev, g]);
  };
  const terms: MicroTerms[] = [];
  for (const [k, b] of micros.entries()) {
    const r = microGradients(x, b, k, gImg[k]!, gTxt[k]!, varList);
    for (const [vn, g] of Object.entries(r.grads)) add(varNames.get(vn)!, g);
    terms.push(r.terms);
  }
  add('logit_scale', gScale);
  add('logit_bias', gBias);
  tf.dispose([...gImg, ...gTxt]);
  const info = model.optimizer.apply(params, acc);
  tf.dispose(Object.values(acc));
  if (useDistill) {
    updateCenters(model.distill!, teacher);
    tf.dispose(teacher.flatMap((t) => [t.global, t.patch]));
    emaUpdate(model.distill!.teacher, params, model.distill!.momentum);
  }
  return pendingAccumulated(sig, terms, pendingNorm(info), model.optimizer.step, info.multiplier, useDistill ? distillWeights(c) : null);
}

/** The accumulated step's result once read: micro-batch terms summed on the host in float64, as before. */
function pendingAccumulated(
  sig: tf.Scalar,
  terms: readonly MicroTerms[],
  norm: ReturnType<typeof pendingNorm>,
  step: number,
  multiplier: number,
  w: { l2g: number; mask: number } | null,
): Pending<TrainStepResult> {
  const keys = terms.map((t) => (['locca', 'l2g', 'mask'] as const).filter((n) => t[n] !== undefined));
  const tensors = [sig, ...terms.flatMap((t, i) => keys[i]!.map((n) => t[n]!)), ...norm.tensors];
  return {
    tensors,
    finish: (v) => {
      const sums = { locca: 0, l2g: 0, mask: 0 };
      let at = 1;
      for (const ks of keys) for (const n of ks) sums[n] += v[at++]!;
      const sigmoid = v[0]!;
      const loss = sigmoid + sums.locca + (w ? w.l2g * sums.l2g + w.mask * sums.mask : 0);
      return { step, loss, sigmoid, ...sums, gradNorm: norm.value(v), multiplier };
    },
  };
}

/** Frees every tensor a TrainModel holds. */
export function disposeTrainModel(model: TrainModel): void {
  model.params.dispose();
  model.optimizer.dispose();
  if (model.distill) {
    model.distill.teacher.dispose();
    model.distill.centerGlobal.dispose();
    model.distill.centerPatch.dispose();
  }
}
