// One optimizer step over every loss of the recipe's current stage (§7.1): sigmoid + LocCa, plus self-distillation
// and masked prediction once distillation is switched on.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { decoderSpecs } from './decoder.js';
import { createTeacher, distillHead, distillSpecs, distillWeights, emaUpdate, headDims } from './distill.js';
import { ModelError } from './errors.js';
import { chunkedSigmoidLoss, sigmoidLoss } from './losses/sigmoid.js';
import { type LoccaTask, loccaLoss, loccaWeightedLoss } from './losses/locca.js';
import { distillCrossEntropy, localToGlobalLoss, teacherProbs, updateCenter } from './losses/distill.js';
import { AdamW, type AdamWConfig } from './optimizer.js';
import { ParamStore, towerSpecs } from './params.js';
import { siglipForward } from './siglip.js';
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

/** Runs forward, backward and one AdamW update (then the teacher EMA); returns the loss terms as numbers. */
export function trainStep(model: TrainModel, batch: TrainBatch, opts: TrainStepOptions = {}): TrainStepResult {
  const { config: c, params } = model;
  const p = params.get;
  const useDistill = model.distill !== undefined && batch.distill !== undefined;
  const teacher = useDistill ? teacherTargets(model, batch.distill!, opts.tauT ?? 0.04) : undefined;
  const parts: Record<'sigmoid' | 'locca' | 'l2g' | 'mask', tf.Scalar | undefined> = { sigmoid: undefined, locca: undefined, l2g: undefined, mask: undefined };
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
      const d = batch.distill!;
      const w = distillWeights(c);
      const tauS = opts.tauS ?? 0.1;
      const locals = d.locals.map((v) => distillHead(p, 'global_head', visionTower(p, c, v).pooled));
      const l2g = localToGlobalLoss(teacher.global, tf.concat(locals, 0), tauS);
      const masked = visionTower(p, c, d.global, { maskPatches: d.patchMask, maskToken: p('sd.mask_token') });
      const k = teacher.patch.shape[2]!;
      const mp = distillCrossEntropy(
        tf.reshape(teacher.patch, [-1, k]),
        tf.reshape(distillHead(p, 'patch_head', masked.tokens), [-1, k]),
        tauS,
        tf.reshape(d.patchMask, [-1]),
      );
      parts.l2g = tf.keep(l2g);
      parts.mask = tf.keep(mp);
      total = tf.add(total, tf.add(tf.mul(l2g, w.l2g), tf.mul(mp, w.mask)));
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
  const num = (t: tf.Scalar | undefined) => (t ? t.dataSync()[0]! : 0);
  const result: TrainStepResult = {
    step: model.optimizer.step,
    loss: value.dataSync()[0]!,
    sigmoid: num(parts.sigmoid),
    locca: num(parts.locca),
    l2g: num(parts.l2g),
    mask: num(parts.mask),
    ...info,
  };
  value.dispose();
  tf.dispose(Object.values(parts).filter((t): t is tf.Scalar => t !== undefined));
  return result;
}

/** Sum of a 0/1 mask tensor as a number. */
function maskSum(t: tf.Tensor): number {
  const s = tf.sum(t);
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
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
 * centers are updated once per step from the mean over all micro-batches, as the big batch would.
 */
export function trainStepAccumulated(model: TrainModel, micros: readonly TrainBatch[], opts: TrainStepOptions = {}): TrainStepResult {
  if (micros.length === 0) throw new ModelError('trainStepAccumulated needs at least one micro-batch');
  if (micros.length === 1) return trainStep(model, micros[0]!, opts);
  const { config: c, params } = model;
  const p = params.get;
  const sizes = micros.map((b) => b.ids.shape[0]);
  const n = sizes.reduce((a, b) => a + b, 0);
  const useDistill = model.distill !== undefined && micros.every((b) => b.distill !== undefined);
  const useLocca = c.decoderDepth > 0 && micros.every((b) => b.locca && b.locca.length > 0);
  const tasks = useLocca ? micros[0]!.locca!.length : 0;
  if (useLocca && micros.some((b) => b.locca!.length !== tasks)) throw new ModelError('micro-batches carry different LocCa task lists');

  // (1) Embeddings of every micro-batch, no tape.
  const emb = micros.map((b) =>
    tf.tidy(() => {
      const o = siglipForward(p, c, b.images, b.ids);
      return [o.zimg, o.ztxt] as const;
    }),
  );
  // (2) The whole batch's sigmoid loss and its gradient with respect to the embeddings and the logit scale/bias.
  const chunks = opts.sigmoidChunks ?? 1;
  const sigFn = (zi: tf.Tensor, zt: tf.Tensor, s: tf.Tensor, b: tf.Tensor): tf.Scalar =>
    chunks > 1 ? chunkedSigmoidLoss(zi, zt, s, b, chunks) : sigmoidLoss(zi, zt, s, b);
  const { sig, gImg, gTxt, gScale, gBias } = tf.tidy(() => {
    const zi = tf.concat(emb.map((e) => e[0]), 0);
    const zt = tf.concat(emb.map((e) => e[1]), 0);
    const { value, grads } = tf.valueAndGrads(sigFn)([zi, zt, p('logit_scale'), p('logit_bias')]);
    return { sig: value, gImg: tf.split(grads[0]!, sizes, 0), gTxt: tf.split(grads[1]!, sizes, 0), gScale: grads[2]!, gBias: grads[3]! };
  });
  tf.dispose(emb.flat());

  // Normalizers of the whole batch: supervised tokens per LocCa task, masked patches.
  const taskTokens = micros.map((b) => (useLocca ? b.locca!.map((t) => maskSum(t.lossMask)) : []));
  const taskTotals = Array.from({ length: tasks }, (_, j) => taskTokens.reduce((a, t) => a + t[j]!, 0));
  const activeTasks = taskTotals.filter((t) => t > 0).length;
  const maskedPatches = useDistill ? micros.map((b) => maskSum(b.distill!.patchMask)) : [];
  const maskedTotal = Math.max(1, maskedPatches.reduce((a, b) => a + b, 0));

  // Teacher targets per micro-batch from the centers as they are at the start of the step.
  const s = model.distill;
  const tauT = opts.tauT ?? 0.04;
  const teacher = useDistill ? micros.map((b) => teacherOutputs(model, b.distill!, tauT)) : [];

  // (3) Per micro-batch: back-propagate the cached embedding gradients and this micro-batch's share of the rest.
  const { varList, varNames } = trainableVars(params);
  const acc: Record<string, tf.Tensor> = {};
  const add = (name: string, g: tf.Tensor): void => {
    const prev = acc[name];
    if (prev) {
      acc[name] = tf.add(prev, g);
      tf.dispose([prev, g]);
    } else acc[name] = g;
  };
  let locca = 0;
  let l2g = 0;
  let mask = 0;
  const w = distillWeights(c);
  const tauS = opts.tauS ?? 0.1;
  for (const [k, b] of micros.entries()) {
    const parts: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const out = siglipForward(p, c, b.images, b.ids);
      let total: tf.Tensor = tf.add(tf.sum(tf.mul(out.zimg, gImg[k]!)), tf.sum(tf.mul(out.ztxt, gTxt[k]!)));
      if (useLocca) {
        const imageMask = b.images.kind === 'naflex' ? b.images.mask : undefined;
        // One decoder pass for all of this micro-batch's tasks, as loccaLoss does for the whole batch (losses/locca.ts).
        const js = b.locca!.map((_, j) => j).filter((j) => taskTokens[k]![j]! > 0);
        if (js.length > 0) {
          // The big batch divides task j's token sum by all its tokens and averages over active tasks.
          const l = loccaWeightedLoss(p, c, js.map((j) => b.locca![j]!), js.map((j) => 1 / (taskTotals[j]! * activeTasks)), out.imageTokens, imageMask, opts.loccaChunkRows);
          parts.push(tf.keep(l as tf.Scalar));
          total = tf.add(total, l);
        }
      }
      if (useDistill) {
        const d = b.distill!;
        const t = teacher[k]!;
        const locals = d.locals.map((v) => distillHead(p, 'global_head', visionTower(p, c, v).pooled));
        const l = tf.mul(localToGlobalLoss(t.global, tf.concat(locals, 0), tauS), sizes[k]! / n);
        const masked = visionTower(p, c, d.global, { maskPatches: d.patchMask, maskToken: p('sd.mask_token') });
        const kk = t.patch.shape[t.patch.rank - 1]!;
        const mp = tf.mul(
          distillCrossEntropy(tf.reshape(t.patch, [-1, kk]), tf.reshape(distillHead(p, 'patch_head', masked.tokens), [-1, kk]), tauS, tf.reshape(d.patchMask, [-1])),
          maskedPatches[k]! / maskedTotal,
        );
        parts.push(tf.keep(l as tf.Scalar), tf.keep(mp as tf.Scalar));
        total = tf.add(total, tf.add(tf.mul(l, w.l2g), tf.mul(mp, w.mask)));
      }
      return total as tf.Scalar;
    }, varList);
    value.dispose();
    for (const [vn, g] of Object.entries(grads)) add(varNames.get(vn)!, g);
    const nums = parts.map((t) => t.dataSync()[0]!);
    tf.dispose(parts);
    if (useLocca) locca += nums.slice(0, nums.length - (useDistill ? 2 : 0)).reduce((a, x) => a + x, 0);
    if (useDistill) {
      l2g += nums.at(-2)!;
      mask += nums.at(-1)!;
    }
  }
  add('logit_scale', gScale);
  add('logit_bias', gBias);
  tf.dispose([...gImg, ...gTxt]);
  const info = model.optimizer.apply(params, acc);
  tf.dispose(Object.values(acc));
  if (useDistill) {
    updateCenters(s!, teacher);
    tf.dispose(teacher.flatMap((t) => [t.global, t.patch]));
    emaUpdate(s!.teacher, params, s!.momentum);
  }
  const sigmoid = sig.dataSync()[0]!;
  sig.dispose();
  return {
    step: model.optimizer.step,
    loss: sigmoid + locca + (useDistill ? w.l2g * l2g + w.mask * mask : 0),
    sigmoid,
    locca,
    l2g,
    mask,
    ...info,
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
