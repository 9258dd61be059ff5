// One optimizer step over every loss of the recipe's current stage (§7.1): sigmoid + LocCa, plus self-distillation
// and masked prediction once distillation is switched on.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { decoderSpecs } from './decoder.js';
import { createTeacher, distillHead, distillSpecs, distillWeights, emaUpdate, headDims } from './distill.js';
import { ModelError } from './errors.js';
import { chunkedSigmoidLoss, sigmoidLoss } from './losses/sigmoid.js';
import { type LoccaTask, loccaLoss } from './losses/locca.js';
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

function teacherTargets(model: TrainModel, d: DistillBatch, tauT: number): TeacherTargets {
  const s = model.distill!;
  return tf.tidy(() => {
    const out = visionTower(s.teacher.get, model.config, d.global);
    const g = distillHead(s.teacher.get, 'global_head', out.pooled);
    const pch = distillHead(s.teacher.get, 'patch_head', out.tokens);
    const targets = { global: teacherProbs(g, s.centerGlobal, tauT), patch: teacherProbs(pch, s.centerPatch, tauT) };
    s.centerGlobal.assign(updateCenter(s.centerGlobal, g));
    s.centerPatch.assign(updateCenter(s.centerPatch, pch));
    return targets;
  });
}

/** Runs forward, backward and one AdamW update (then the teacher EMA); returns the loss terms as numbers. */
export function trainStep(model: TrainModel, batch: TrainBatch, opts: TrainStepOptions = {}): TrainStepResult {
  const { config: c, params } = model;
  const p = params.get;
  const useDistill = model.distill !== undefined && batch.distill !== undefined;
  const teacher = useDistill ? teacherTargets(model, batch.distill!, opts.tauT ?? 0.04) : undefined;
  const parts: Record<'sigmoid' | 'locca' | 'l2g' | 'mask', tf.Scalar | undefined> = { sigmoid: undefined, locca: undefined, l2g: undefined, mask: undefined };
  const varNames = new Map<string, string>();
  const varList: tf.Variable[] = [];
  for (const [name, v] of params.vars) {
    if (!v.trainable) continue;
    varNames.set(v.name, name);
    varList.push(v);
  }
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
