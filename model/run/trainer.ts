// Runs one stage of the curriculum: resume from the stage's newest committed checkpoint (else enter from the
// parent's branch point, else fresh weights), train step by step — yielding to the event loop between steps so
// heartbeats flow — write metrics and checkpoints, and stop cleanly at a checkpoint when asked.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { parseLoaderConfig, type LoaderConfig } from '../../pipelines/loader/config.js';
import { type LoaderBatch, StreamingLoader } from '../../pipelines/loader/loader.js';
import { type LoaderPosition, startPosition } from '../../pipelines/loader/position.js';
import { hashKeys } from '../../pipelines/loader/random.js';
import { type ObjectStore, type Stores } from '../../storage/index.js';
import { type ModelConfig } from '../config.js';
import { hostResidentBackend, type Pending, readAll } from '../step-metrics.js';
import { createTrainModel, disposeTrainModel, enableDistillation, type TrainBatch, type TrainModel, type TrainStepResult, trainStepAccumulatedDeferred } from '../train-step.js';
import { teacherTemperature } from '../distill.js';
import { rowSigmoidLoss, learnability, selectLearnable, superBatchSize } from './acid.js';
import { loadReferenceTeacher, type ReferenceTeacher, resolveTeacherRef } from './acid-teacher.js';
import { initTrainModel, writeInitReport } from './init.js';
import { disposeTrainBatch, subsetBatch, toTrainBatch, visionInput } from './batch.js';
import { checkpointKey, listCheckpoints, loadCheckpoint, pruneCheckpoints, type RunLocation, saveCheckpoint } from './checkpoint.js';
import { type MetricRow, writeMetricsChunk } from './metrics.js';
import { type RunConfig } from './run-config.js';
import { type StagePlan } from './stages.js';
import { type TextPipe } from './text.js';
import { enterStage } from './transition.js';

/** Progress of a running stage (heartbeat details). */
export interface StageProgress {
  stage: string;
  step: number;
  endStep: number;
  loss: number;
  lr: number;
  imagesPerS: number;
  checkpointStep: number | null;
}

/** Everything a stage needs; IO and control come in from the caller (the activity). */
export interface StageContext {
  readonly run: RunLocation;
  readonly data: ObjectStore;
  readonly shards: readonly string[];
  readonly config: RunConfig;
  readonly model: ModelConfig;
  readonly stage: StagePlan;
  readonly text: TextPipe;
  readonly backend: string;
  /** Opens the ACID reference teacher's URI with the worker's storage settings; default local files only. */
  readonly stores?: Stores;
  /** Called after every step. */
  readonly onStep?: (p: StageProgress) => void;
  /** Checked after every step: when true the stage checkpoints and returns unfinished. */
  readonly shouldStop?: () => boolean;
}

/** What a stage run ended with. */
export interface StageResult {
  stage: string;
  step: number;
  finished: boolean;
  checkpoint: string;
  loss: number | null;
  /** Share of wall time spent waiting for batches. */
  dataWaitShare: number;
  /** Steps trained by this call (0 when the stage was already done). */
  trainedSteps: number;
}

async function startState(ctx: StageContext): Promise<{ model: TrainModel; step: number; position: LoaderPosition }> {
  const { run, stage, config } = ctx;
  const steps = await listCheckpoints(run, stage.name);
  const o = stage.optimizer;
  const opt = { lr: o.lr, weightDecay: o.weightDecay, clipNorm: o.clipNorm, beta2: o.beta2, warmupSteps: o.warmupSteps, totalSteps: o.totalSteps };
  if (steps.length > 0) {
    const { model, meta } = await loadCheckpoint(run.store, checkpointKey(run, stage.name, steps.at(-1)!), opt);
    return { model, step: meta.step, position: meta.loader };
  }
  if (stage.parent) {
    const dir = checkpointKey(run, stage.parent.stage, stage.parent.step);
    const { model, meta } = await loadCheckpoint(run.store, dir, opt);
    return { model: enterStage(model, stage), step: meta.step, position: meta.loader };
  }
  if (config.init) {
    // Fine-tuning from official weights: towers from the HF directory, the rest fresh and listed in <run>/init.json.
    const { model, loaded, initialised } = await initTrainModel(config.init, ctx.model, { seed: config.seed, optimizer: opt });
    await writeInitReport(run, config.init, loaded, initialised);
    return { model, step: 0, position: startPosition(config.seed) };
  }
  const model = createTrainModel(ctx.model, { seed: config.seed, optimizer: opt });
  return { model, step: 0, position: startPosition(config.seed, config.loader.rank, config.loader.worldSize) };
}

const rankOf = ({ config }: StageContext): { rank: number; worldSize: number } => ({ rank: config.loader.rank, worldSize: config.loader.worldSize });

function loaderConfig(ctx: StageContext, model: TrainModel, views: boolean): LoaderConfig {
  const { stage, config } = ctx;
  const p = model.config.vision.patchSize;
  const micro = microBatchOf(ctx);
  const batchSize = stage.acid ? superBatchSize(micro, stage.acid.filter) : micro;
  const size = stage.imageSize ?? model.config.vision.imageSize;
  const local = config.distill !== false ? (config.distill.localSize ?? Math.max(p, Math.round(size / (2 * p)) * p)) : p;
  return parseLoaderConfig({
    batchSize,
    resolution: stage.seqLens ? { kind: 'naflex', patchSize: p, seqLens: stage.seqLens } : { kind: 'fixed', size },
    ...config.loader,
    views: views && config.distill !== false ? { globalSize: size, localSize: local, locals: config.distill.locals } : null,
  });
}

/** Rows per loader batch and forward/backward pass: the run's microBatch, else the whole step's batch. */
function microBatchOf(ctx: StageContext): number {
  return Math.min(ctx.config.microBatch ?? ctx.stage.batchSize, ctx.stage.batchSize);
}

/** ACID (recipe §6.3): keeps the `keep` most learnable rows of a super-batch; the reference teacher reads the captions with its own tokenizer. */
async function acidSubset(host: LoaderBatch, model: TrainModel, teacher: ReferenceTeacher, ctx: StageContext, keep: number): Promise<LoaderBatch> {
  const input = visionInput(host);
  const ids = tf.tensor2d(host.tokens, [host.ids.length, ctx.text.length], 'int32');
  try {
    const student = await rowSigmoidLoss(model.params.get, model.config, input, ids);
    return subsetBatch(host, selectLearnable(learnability(student, await teacher.rowLoss(input, host.captions)), keep));
  } finally {
    tf.dispose([ids, ...(input.kind === 'fixed' ? [input.images] : [input.patches, input.mask])]);
  }
}

/** Step metrics without the numbers still on the device. */
type RowContext = Pick<MetricRow, 'stage' | 'step' | 'imagesPerS' | 'dataWaitMs' | 'backend' | 'time'>;

/** A metric row left on the device with its step's loss terms, plus t = exp(t′) and b (read with the rest). */
function pendingRow(r: Pending<TrainStepResult>, model: TrainModel, row: RowContext): Pending<MetricRow> {
  const extra = tf.tidy(() => [tf.exp(model.params.get('logit_scale')), tf.clone(model.params.get('logit_bias'))]);
  const n = r.tensors.length;
  return {
    tensors: [...r.tensors, ...extra],
    finish: (v) => {
      const s = r.finish(v.slice(0, n));
      const lr = model.optimizer.config.lr * s.multiplier;
      const { imagesPerS, dataWaitMs, backend, time } = row;
      return { stage: row.stage, step: row.step, loss: s.loss, sigmoid: s.sigmoid, locca: s.locca, l2g: s.l2g, mask: s.mask, lr, t: v[n]!, b: v[n + 1]!, gradNorm: s.gradNorm, imagesPerS, dataWaitMs, backend, time };
    },
  };
}

/**
 * One optimizer step = `accum` loader batches (micro-batches), ACID-filtered when the stage has a teacher; the loader
 * position saved with a checkpoint is always at a step boundary, so a resumed run reads the same micro-batches into
 * the same steps. Returns the step's pending metrics and where the loader now stands.
 */
async function trainOneStep(
  ctx: StageContext,
  loader: StreamingLoader,
  model: TrainModel,
  teacher: ReferenceTeacher | null,
  step: number,
): Promise<{ r: Pending<TrainStepResult>; rowsThisStep: number; stepWaitMs: number; position: LoaderPosition | null }> {
  const { stage, config } = ctx;
  const micro = microBatchOf(ctx);
  const accum = Math.max(1, Math.round(stage.batchSize / micro));
  const batches: TrainBatch[] = [];
  let rowsThisStep = 0;
  let stepWaitMs = 0;
  let position: LoaderPosition | null = null;
  try {
    for (let k = 0; k < accum; k++) {
      const w0 = performance.now();
      let host = await loader.next();
      stepWaitMs += performance.now() - w0;
      if (teacher) host = await acidSubset(host, model, teacher, ctx, micro);
      const maskRatio = config.distill === false ? 0.5 : config.distill.maskRatio;
      const opts = { locca: stage.locca, distill: stage.distill, maskRatio, seed: config.seed, stage: stage.name, step, rowOffset: rowsThisStep };
      batches.push(toTrainBatch(host, model.config, ctx.text, opts));
      rowsThisStep += host.ids.length;
      position = host.position;
    }
    // Teacher temperature warm-up over the first 30% of the distillation phase (recipe §4).
    const r = trainStepAccumulatedDeferred(model, batches, { sigmoidChunks: config.sigmoidChunks, tauT: teacherTemperature(step, stage.distillAt, stage.endStep) });
    return { r, rowsThisStep, stepWaitMs, position };
  } finally {
    for (const b of batches) disposeTrainBatch(b);
  }
}

/** Trains one stage to its end (or until asked to stop), checkpointing as configured; idempotent on retry. */
export async function runStage(ctx: StageContext): Promise<StageResult> {
  const { run, stage, config } = ctx;
  const state = await startState(ctx);
  const model = state.model;
  let { step, position } = state;
  const teacher = stage.acid && step < stage.endStep ? await loadReferenceTeacher(resolveTeacherRef(stage.acid.teacher, run.store.rootUri), run.store.uri(run.prefix), ctx.stores ? { stores: ctx.stores } : {}) : null;
  const needsViews = (): boolean => stage.distill && model.distill !== undefined;
  let views = needsViews();
  const open = (): Promise<StreamingLoader> => StreamingLoader.open({ store: ctx.data, shards: ctx.shards, config: loaderConfig(ctx, model, views), tokenize: ctx.text.tokenize, position, ...rankOf(ctx) });
  let loader = await open();
  const rows: MetricRow[] = [];
  // Rows whose numbers are still on the device: read together (one await) at each checkpoint, or every step where
  // reads are free (cpu, wasm). The heartbeat carries the newest loss read.
  const pending: Pending<MetricRow>[] = [];
  const readEveryStep = hostResidentBackend();
  let lastCheckpoint = (await listCheckpoints(run, stage.name)).at(-1) ?? null;
  let loss: number | null = null;
  let waitMs = 0;
  let trained = 0;
  const started = performance.now();
  const readPending = async (): Promise<void> => {
    const read = await readAll(pending.splice(0));
    rows.push(...read);
    if (read.length > 0) loss = read.at(-1)!.loss;
  };
  const checkpoint = async (): Promise<void> => {
    await readPending();
    await writeMetricsChunk(run, stage.name, step, rows);
    rows.length = 0;
    await saveCheckpoint(run, stage.name, model, { step, loader: position, seed: config.seed });
    lastCheckpoint = step;
    await pruneCheckpoints(run, stage.name, config.keepLast, stage.marks);
  };
  try {
    while (step < stage.endStep) {
      if (stage.distillAt !== null && step >= stage.distillAt && !model.distill && stage.distill) {
        const d = config.distill === false ? { momentum: 0.99 } : config.distill;
        enableDistillation(model, { momentum: d.momentum, seed: hashKeys(config.seed, 'distill') });
      }
      if (needsViews() !== views) {
        // Reopen at the same position with distillation views: the batches stay the same, views are added.
        await loader.close();
        views = needsViews();
        loader = await open();
      }
      const t0 = performance.now();
      const { r, rowsThisStep, stepWaitMs, position: at } = await trainOneStep(ctx, loader, model, teacher, step);
      position = at ?? position;
      waitMs += stepWaitMs;
      step++;
      trained++;
      const secs = (performance.now() - t0) / 1000;
      const imagesPerS = rowsThisStep / Math.max(secs, 1e-9);
      pending.push(pendingRow(r, model, { stage: stage.name, step, imagesPerS, dataWaitMs: stepWaitMs, backend: ctx.backend, time: new Date().toISOString() }));
      if (readEveryStep) await readPending();
      const stop = ctx.shouldStop?.() ?? false;
      if (step % config.checkpointEvery === 0 || step === stage.endStep || stage.marks.includes(step) || stop) await checkpoint();
      const lr = model.optimizer.config.lr * model.optimizer.lastMultiplier;
      ctx.onStep?.({ stage: stage.name, step, endStep: stage.endStep, loss: loss ?? Number.NaN, lr, imagesPerS, checkpointStep: lastCheckpoint });
      if (stop && step < stage.endStep) break;
      await yieldToEventLoop();
    }
    await readPending();
  } finally {
    tf.dispose(pending.flatMap((p) => p.tensors));
    await loader.close();
    disposeTrainModel(model);
    teacher?.dispose();
  }
  const wall = performance.now() - started;
  return {
    stage: stage.name,
    step,
    finished: step >= stage.endStep,
    checkpoint: run.store.uri(checkpointKey(run, stage.name, step)),
    loss,
    dataWaitShare: wall > 0 ? waitMs / wall : 0,
    trainedSteps: trained,
  };
}
