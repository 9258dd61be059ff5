// The curriculum as a list of stages (recipe §0): the base stage (sigmoid + LocCa, distillation from 80%),
// fixed-resolution continuations from 95%, a NaFlex stage from 90% with a stretched schedule, and ACID after 100%.
import { type ModelConfig } from '../config.js';
import { type RunConfig } from './run-config.js';
import { TrainConfigError } from './errors.js';

/** What a stage starts from: another stage's committed checkpoint at a step, or fresh weights. */
export interface StageParent {
  readonly stage: string;
  readonly step: number;
}

/** Optimizer settings of a stage and where its schedule step starts. */
export interface StageOptimizer {
  readonly lr: number;
  readonly weightDecay: number;
  readonly clipNorm: number | null;
  readonly beta2: number;
  readonly warmupSteps: number;
  /** Cosine end, or null for a constant rate after warm-up. */
  readonly totalSteps: number | null;
  /** Schedule step at the stage's first step: "parent" continues the parent's optimizer step. */
  readonly scheduleStart: number | 'parent';
  /** Start with zero Adam moments instead of the parent's. */
  readonly freshMoments: boolean;
}

/** One stage of the run: a long activity that trains steps [startStep, endStep). */
export interface StagePlan {
  readonly name: string;
  readonly kind: 'base' | 'fixed' | 'naflex' | 'acid';
  readonly parent: StageParent | null;
  readonly startStep: number;
  readonly endStep: number;
  readonly batchSize: number;
  /** Fixed image side, or null for NaFlex. */
  readonly imageSize: number | null;
  /** Patch size this stage changes to (PI-resize of the patch kernel), or null to keep the parent's. */
  readonly patchSize?: number | null;
  readonly seqLens: readonly number[] | null;
  /** Step at which self-distillation switches on in this stage (null: never switched on here). */
  readonly distillAt: number | null;
  /** Self-distillation and masked prediction terms used once switched on (false drops an inherited teacher). */
  readonly distill: boolean;
  readonly locca: boolean;
  readonly optimizer: StageOptimizer;
  /** Steps whose checkpoints are kept however many newer ones exist (branch points and the stage end). */
  readonly marks: readonly number[];
  readonly acid: { readonly filter: number; readonly teacher: string } | null;
}

/** Plans every stage of a run from its config and resolved model config. */
export function planStages(run: RunConfig, model: ModelConfig): StagePlan[] {
  const total = Math.ceil(run.examples / run.batchSize);
  const at = (f: number): number => Math.min(total, Math.max(1, Math.round(f * total)));
  const size = run.imageSize ?? model.vision.imageSize;
  const o = run.optimizer;
  if (o.warmupSteps >= total) throw new TrainConfigError(`${o.warmupSteps} is not below the base stage's ${total} steps`, 'optimizer.warmupSteps');
  const schedule = { lr: o.lr, weightDecay: o.weightDecay, clipNorm: o.clipNorm, beta2: o.beta2, warmupSteps: o.warmupSteps, totalSteps: total };
  const distillOn = run.distill !== false;
  const marks = new Set<number>([total]);
  for (const r of run.resolutions) marks.add(at(r.from));
  if (run.naflex) marks.add(at(run.naflex.from));
  const base: StagePlan = {
    name: 'base',
    kind: 'base',
    parent: null,
    startStep: 0,
    endStep: total,
    batchSize: run.batchSize,
    imageSize: size,
    seqLens: null,
    distillAt: run.distill === false ? null : at(run.distill.at),
    distill: distillOn,
    locca: run.locca,
    optimizer: { ...schedule, scheduleStart: 0, freshMoments: true },
    marks: [...marks].sort((a, b) => a - b),
    acid: null,
  };
  const stages: StagePlan[] = [base];
  for (const r of run.resolutions) {
    const p = r.patchSize ?? model.vision.patchSize;
    if (r.size % p !== 0) {
      throw new TrainConfigError(`${r.size} is not a multiple of the patch size ${p}`, 'resolutions.size');
    }
    const from = at(r.from);
    stages.push({
      ...base,
      name: `res-${r.size}`,
      kind: 'fixed',
      parent: { stage: 'base', step: from },
      startStep: from,
      imageSize: r.size,
      patchSize: r.patchSize ?? null,
      // The switch-on step is in the parent's past when `from` ≥ the distillation point; otherwise it happens here.
      distillAt: base.distillAt !== null && base.distillAt > from ? base.distillAt : null,
      optimizer: { ...schedule, scheduleStart: 'parent', freshMoments: false },
      marks: [total],
    });
  }
  if (run.naflex) {
    const from = at(run.naflex.from);
    const stretch = run.naflex.stretch;
    const steps = Math.max(1, Math.round((total - from) * stretch));
    stages.push({
      ...base,
      name: 'naflex',
      kind: 'naflex',
      parent: { stage: 'base', step: from },
      startStep: from,
      endStep: from + steps,
      imageSize: null,
      seqLens: run.naflex.seqLens,
      distillAt: null,
      distill: false,
      // The remaining cosine, stretched: schedule step s ↦ base step W + s/stretch (no warm-up left to run).
      optimizer: {
        ...schedule,
        warmupSteps: 0,
        totalSteps: Math.max(1, Math.round(stretch * (total - o.warmupSteps))),
        scheduleStart: Math.max(0, Math.round(stretch * (from - o.warmupSteps))),
        freshMoments: false,
      },
      marks: [from + steps],
    });
  }
  if (run.acid) {
    const steps = Math.ceil(run.acid.examples / run.batchSize);
    stages.push({
      ...base,
      name: 'acid',
      kind: 'acid',
      parent: { stage: 'base', step: total },
      startStep: total,
      endStep: total + steps,
      distillAt: null,
      distill: false,
      locca: false,
      optimizer: { lr: run.acid.lr, weightDecay: 0, clipNorm: o.clipNorm, beta2: o.beta2, warmupSteps: 0, totalSteps: null, scheduleStart: 0, freshMoments: true },
      marks: [total + steps],
      acid: { filter: run.acid.filter, teacher: run.acid.teacher },
    });
  }
  return stages;
}
