// AdamW with big_vision semantics (recipe §7): clip the raw gradient to a global norm, Adam direction × lr, add
// wd·θ for kernels only, then scale everything by the schedule multiplier s(t): θ −= s(t)·(lr·adam + wd·θ).
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { type AdamWItem, adamwUpdateGroup } from '../native/adamw.js';
import { FUSED_KERNELS } from '../native/fused-names.js';
import { ModelConfigError } from './errors.js';
import { type ParamStore } from './params.js';
import { warmupCosine } from './schedule.js';
import { hostResidentBackend } from './step-metrics.js';

export const adamwConfigSchema = z.object({
  lr: z.number().positive().default(1e-3),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.95),
  eps: z.number().positive().default(1e-8),
  weightDecay: z.number().nonnegative().default(1e-4),
  clipNorm: z.number().positive().nullable().default(1.0),
  warmupSteps: z.number().int().nonnegative().default(0),
  /** Schedule length; null = constant multiplier after warm-up. */
  totalSteps: z.number().int().positive().nullable().default(null),
});
export type AdamWConfig = z.output<typeof adamwConfigSchema>;

/** Default decay rule: only matrices ("kernels"), not biases, norms, embeddings, probes, t′ or b. */
export function isDecayed(name: string, rank: number): boolean {
  if (rank < 2) return false;
  return !/(token_embedding|position_embedding|\.probe$|mask_token|\.bos$)/.test(name);
}

export interface StepInfo {
  /** Global norm of the raw (unclipped) gradient: a number on cpu/wasm, a scalar owned by the caller on a GPU. */
  readonly gradNorm: number | tf.Scalar;
  /** Schedule multiplier s(t) used. */
  readonly multiplier: number;
}

/** Adam moments per parameter plus the step counter; update applies one step in place. */
export class AdamW {
  readonly config: AdamWConfig;
  step = 0;
  /** Schedule multiplier s(t) of the latest step (1 before any). */
  lastMultiplier = 1;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(config: Partial<AdamWConfig> = {}) {
    const r = adamwConfigSchema.safeParse(config);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new ModelConfigError(`optimizer config: ${i.path.join('.')}: ${i.message}`, i.path.join('.'), { cause: r.error });
    }
    this.config = r.data;
  }

  /** Applies one update to `params` from `grads` (keyed by parameter name); disposes nothing it was given. */
  apply(params: ParamStore, grads: Record<string, tf.Tensor>): StepInfo {
    const c = this.config;
    // Sorted so the global norm (a float sum) does not depend on parameter insertion order.
    const names = Object.keys(grads).sort();
    const multiplier = c.totalSteps === null ? Math.min(1, (this.step + 1) / Math.max(1, c.warmupSteps)) : warmupCosine(this.step, c.warmupSteps, c.totalSteps);
    // On a GPU the norm and the clip factor stay on the device (no read per step); the gradients are pre-scaled.
    const onHost = hostResidentBackend();
    const gradNorm = onHost ? Math.sqrt(sumOfSquares(names.map((n) => grads[n]!))) : deviceGradNorm(names.map((n) => grads[n]!));
    const clipT = typeof gradNorm === 'number' || c.clipNorm === null ? null : deviceClip(gradNorm, c.clipNorm);
    const clip = typeof gradNorm === 'number' && c.clipNorm !== null && gradNorm > c.clipNorm ? c.clipNorm / gradNorm : 1;
    const t = this.step + 1;
    const bc1 = 1 - c.beta1 ** t;
    const bc2 = 1 - c.beta2 ** t;
    // θ ← θ·(1 − s·wd) − m/(√v + ε·√bc2) · s·lr·√bc2/bc1, the same as θ − s·(lr·m̂/(√v̂ + ε) + wd·θ).
    const hyper = { beta1: c.beta1, beta2: c.beta2, clip, stepSize: (multiplier * c.lr * Math.sqrt(bc2)) / bc1, epsHat: c.eps * Math.sqrt(bc2) };
    for (const group of groupBySize(names, (n) => params.vars.get(n)!.size, GROUP_ELEMENTS)) {
      const items: Array<AdamWItem & { name: string }> = group.map((name) => {
        const theta = params.vars.get(name)!;
        if (!this.m.has(name)) {
          this.m.set(name, ownedVariable(tf.zerosLike(theta)));
          this.v.set(name, ownedVariable(tf.zerosLike(theta)));
        }
        const decay = c.weightDecay > 0 && isDecayed(name, theta.rank) ? c.weightDecay * multiplier : 0;
        return { name, theta, m: this.m.get(name)!, v: this.v.get(name)!, g: grads[name]!, shrink: 1 - decay };
      });
      tf.tidy(() => {
        // One fused kernel per group where native/ registered it (dispatch dominates small models), else few tf ops.
        const next = adamwUpdateGroup(clipT ? items.map((it) => ({ ...it, g: tf.mul(it.g, clipT) })) : items, hyper);
        items.forEach((it, i) => {
          this.m.get(it.name)!.assign(next[i]!.m);
          this.v.get(it.name)!.assign(next[i]!.v);
          params.vars.get(it.name)!.assign(next[i]!.theta);
        });
      });
    }
    clipT?.dispose();
    this.step = t;
    this.lastMultiplier = multiplier;
    return { gradNorm, multiplier };
  }

  /** The moment tensors by name ("m/<param>", "v/<param>") for checkpointing. */
  stateTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [k, t] of this.m) out.set(`m/${k}`, t);
    for (const [k, t] of this.v) out.set(`v/${k}`, t);
    return out;
  }

  /** Restores moments saved by stateTensors (copies the values) and the step counter. */
  loadState(state: ReadonlyMap<string, tf.Tensor>, step: number): void {
    this.dispose();
    for (const [k, t] of state) {
      const [kind, ...rest] = k.split('/');
      const name = rest.join('/');
      (kind === 'm' ? this.m : this.v).set(name, ownedVariable(t.clone()));
    }
    this.step = step;
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Parameters updated by one grouped kernel at most: bounds the new θ, m, v alive at once (3 × 32 MB). */
const GROUP_ELEMENTS = 1 << 23;

/** Consecutive runs of `names` whose sizes add up to at most `limit` (a larger single one goes alone). */
function groupBySize(names: readonly string[], size: (name: string) => number, limit: number): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let total = 0;
  for (const name of names) {
    const n = size(name);
    if (current.length > 0 && total + n > limit) {
      groups.push(current);
      current = [];
      total = 0;
    }
    current.push(name);
    total += n;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Σ g² over all tensors: one SigforgeSumSquares kernel (double accumulation) where registered, else square+sum each. */
export function sumOfSquares(tensors: readonly tf.Tensor[]): number {
  return tf.tidy(() => {
    if (tensors.length === 0) return 0;
    if (tensors.every((t) => t.dtype === 'float32') && tf.getKernel(FUSED_KERNELS.sumSquares, tf.getBackend())) {
      const inputs = Object.fromEntries(tensors.map((t, i) => [`x${i}`, t]));
      return (tf.engine().runKernel(FUSED_KERNELS.sumSquares, inputs, {}) as tf.Tensor).dataSync()[0]!;
    }
    return tf.addN(tensors.map((g) => tf.sum(tf.square(g)))).dataSync()[0]!;
  });
}

/** √Σ g² as a device scalar (no read): per-tensor sums, then AddN (split into small groups on webgpu). */
function deviceGradNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => (tensors.length === 0 ? tf.scalar(0) : tf.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g)))))) as tf.Scalar);
}

/** clipNorm / norm where the norm exceeds clipNorm, else 1, on the device. */
function deviceClip(norm: tf.Scalar, clipNorm: number): tf.Scalar {
  return tf.tidy(() => tf.where(tf.greater(norm, clipNorm), tf.div(clipNorm, norm), tf.scalar(1)) as tf.Scalar);
}

/** A non-trainable variable holding `t`'s values; `t` itself is released. */
function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}
