// AdamW with big_vision semantics (recipe §7): clip the raw gradient to a global norm, Adam direction × lr, add
// wd·θ for kernels only, then scale everything by the schedule multiplier s(t): θ −= s(t)·(lr·adam + wd·θ).
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { adamwUpdate } from '../native/adamw.js';
import { ModelConfigError } from './errors.js';
import { type ParamStore } from './params.js';
import { warmupCosine } from './schedule.js';

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
  /** Global norm of the raw (unclipped) gradient. */
  readonly gradNorm: number;
  /** Schedule multiplier s(t) used. */
  readonly multiplier: number;
}

/** Adam moments per parameter plus the step counter; update applies one step in place. */
export class AdamW {
  readonly config: AdamWConfig;
  step = 0;
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
    const gradNorm = tf.tidy(() => {
      const sq = names.map((n) => tf.sum(tf.square(grads[n]!)));
      return Math.sqrt(tf.addN(sq).dataSync()[0]!);
    });
    const clip = c.clipNorm !== null && gradNorm > c.clipNorm ? c.clipNorm / gradNorm : 1;
    const t = this.step + 1;
    const bc1 = 1 - c.beta1 ** t;
    const bc2 = 1 - c.beta2 ** t;
    for (const name of names) {
      const theta = params.vars.get(name)!;
      if (!this.m.has(name)) {
        this.m.set(name, ownedVariable(tf.zerosLike(theta)));
        this.v.set(name, ownedVariable(tf.zerosLike(theta)));
      }
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const decay = c.weightDecay > 0 && isDecayed(name, theta.rank) ? c.weightDecay * multiplier : 0;
      tf.tidy(() => {
        // One fused kernel per parameter where native/ registered it (dispatch dominates small models), else few tf ops:
        // θ ← θ·(1 − s·wd) − m/(√v + ε·√bc2) · s·lr·√bc2/bc1, the same as θ − s·(lr·m̂/(√v̂ + ε) + wd·θ).
        const next = adamwUpdate(theta, m, v, grads[name]!, {
          beta1: c.beta1,
          beta2: c.beta2,
          clip,
          shrink: 1 - decay,
          stepSize: (multiplier * c.lr * Math.sqrt(bc2)) / bc1,
          epsHat: c.eps * Math.sqrt(bc2),
        });
        m.assign(next.m);
        v.assign(next.v);
        theta.assign(next.theta);
      });
    }
    this.step = t;
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

/** A non-trainable variable holding `t`'s values; `t` itself is released. */
function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}
