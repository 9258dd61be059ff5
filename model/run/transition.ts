// Stage transitions: what changes when a stage starts from another stage's checkpoint — position embeddings
// resized to a new grid (fixed-resolution continuation, NaFlex), the patch kernel PI-resized to a new patch size,
// the teacher dropped, the optimizer re-made.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, visionPositions } from '../config.js';
import { AdamW } from '../optimizer.js';
import { type ParamStore } from '../params.js';
import { piResizeKernel } from '../pi-resize.js';
import { gridResizeMatrix } from '../resize.js';
import { type TrainModel } from '../train-step.js';
import { type StagePlan } from './stages.js';

const POS = 'vision_model.embeddings.position_embedding.weight';
const PATCH = 'vision_model.embeddings.patch_embedding.weight';
let tag = 0;

/** Replaces a parameter's variable by a new value (shapes may differ). */
function replace(store: ParamStore, name: string, value: tf.Tensor, trainable: boolean): void {
  store.vars.get(name)?.dispose();
  store.vars.set(name, tf.variable(value, trainable, `${name}#stage-${tag++}`));
  value.dispose();
}

/** Resizes the image position embedding from a g0×g0 grid to g1×g1 (anti-aliased bilinear, recipe §5.1). */
function resizePositions(store: ParamStore, g0: number, g1: number, trainable: boolean): void {
  if (g0 === g1 || !store.vars.has(POS)) return;
  const m = tf.tensor2d(gridResizeMatrix(g0, g0, g1, g1), [g1 * g1, g0 * g0]);
  const next = tf.matMul(m, store.get(POS));
  m.dispose();
  replace(store, POS, next, trainable);
}

/** PI-resizes the patch kernel from p×p to q×q patches (FlexiViT, recipe §5.1); a no-op when p = q. */
function resizePatchKernel(store: ParamStore, p: number, q: number, trainable: boolean): void {
  const w = store.vars.get(PATCH);
  if (p === q || !w) return;
  const d = w.shape[1]!;
  const next = tf.tensor2d(piResizeKernel(w.dataSync() as Float32Array, p, q, d), [q * q * 3, d]);
  replace(store, PATCH, next, trainable);
}

/** The model config a stage trains: the parent's with the stage's resolution, patch size or NaFlex switch applied. */
export function stageModelConfig(parent: ModelConfig, stage: StagePlan): ModelConfig {
  if (stage.kind === 'naflex') return { ...parent, vision: { ...parent.vision, naflex: true } };
  if (stage.imageSize !== null && !parent.vision.naflex) {
    return { ...parent, vision: { ...parent.vision, imageSize: stage.imageSize, ...(stage.patchSize ? { patchSize: stage.patchSize } : {}) } };
  }
  return parent;
}

/** Adapts a model loaded from the parent's checkpoint to the stage (config, position grid, teacher, optimizer). */
export function enterStage(model: TrainModel, stage: StagePlan): TrainModel {
  const config = stageModelConfig(model.config, stage);
  const g0 = Math.round(Math.sqrt(visionPositions(model.config)));
  const g1 = Math.round(Math.sqrt(visionPositions(config)));
  resizePositions(model.params, g0, g1, true);
  const [p0, p1] = [model.config.vision.patchSize, config.vision.patchSize];
  resizePatchKernel(model.params, p0, p1, true);
  let distill = model.distill;
  if (distill && !stage.distill) {
    distill.teacher.dispose();
    distill.centerGlobal.dispose();
    distill.centerPatch.dispose();
    distill = undefined;
  } else if (distill) {
    resizePositions(distill.teacher, g0, g1, false);
    resizePatchKernel(distill.teacher, p0, p1, false);
  }
  const o = stage.optimizer;
  const optimizer = new AdamW({ lr: o.lr, weightDecay: o.weightDecay, clipNorm: o.clipNorm, beta2: o.beta2, warmupSteps: o.warmupSteps, totalSteps: o.totalSteps });
  const step = o.scheduleStart === 'parent' ? model.optimizer.step : o.scheduleStart;
  // Moments of a resized parameter no longer match its shape: that parameter starts with fresh moments.
  const moments = o.freshMoments
    ? new Map<string, tf.Tensor>()
    : new Map(
        [...model.optimizer.stateTensors()]
          .filter(([k]) => (g0 === g1 || !k.endsWith(`/${POS}`)) && (p0 === p1 || !k.endsWith(`/${PATCH}`)))
          .map(([k, t]) => [k, t.clone()] as const),
      );
  optimizer.loadState(moments, step);
  tf.dispose([...moments.values()]);
  model.optimizer.dispose();
  return { config, params: model.params, optimizer, ...(distill && { distill }) };
}
