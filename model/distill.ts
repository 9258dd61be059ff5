// Self-distillation and masked-prediction machinery (recipe §4): DINO-style projection heads, the EMA teacher,
// random patch masks, and the per-size loss weights.
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig } from './config.js';
import { geluTanh, l2Normalize, linear } from './ops.js';
import { type ParamGetter, type ParamSpec, ParamStore } from './params.js';

/** Head sizes: hidden MLP width, bottleneck, prototypes K. */
export interface HeadDims {
  readonly hidden: number;
  readonly bottleneck: number;
  readonly prototypes: number;
}

/** DINO defaults for real sizes, scaled down for tiny ones. */
export function headDims(c: ModelConfig): HeadDims {
  return c.vision.width >= 512
    ? { hidden: 2048, bottleneck: 256, prototypes: 65536 }
    : { hidden: 2 * c.vision.width, bottleneck: c.vision.width, prototypes: 4 * c.vision.width };
}

/** Parameters added at switch-on: global (l2g) and patch heads, and the mask token (names under "sd."). */
export function distillSpecs(c: ModelConfig): Map<string, ParamSpec> {
  const d = c.vision.width;
  const h = headDims(c);
  const out = new Map<string, ParamSpec>();
  for (const head of ['global_head', 'patch_head']) {
    const dims = [d, h.hidden, h.hidden, h.bottleneck];
    for (let i = 0; i < 3; i++) {
      out.set(`sd.${head}.fc${i + 1}.weight`, { shape: [dims[i]!, dims[i + 1]!], init: 'xavier' });
      out.set(`sd.${head}.fc${i + 1}.bias`, { shape: [dims[i + 1]!], init: 'zeros' });
    }
    out.set(`sd.${head}.prototypes`, { shape: [h.bottleneck, h.prototypes], init: 'xavier' });
  }
  out.set('sd.mask_token', { shape: [d], init: 'posemb' });
  return out;
}

/** Head forward: MLP (GELU) → bottleneck → L2-normalize → weight-normalized prototypes → logits [..., K]. */
export function distillHead(p: ParamGetter, head: 'global_head' | 'patch_head', x: tf.Tensor): tf.Tensor {
  let h = geluTanh(linear(x, p(`sd.${head}.fc1.weight`), p(`sd.${head}.fc1.bias`)));
  h = geluTanh(linear(h, p(`sd.${head}.fc2.weight`), p(`sd.${head}.fc2.bias`)));
  h = l2Normalize(linear(h, p(`sd.${head}.fc3.weight`), p(`sd.${head}.fc3.bias`)));
  const protos = p(`sd.${head}.prototypes`);
  const unit = tf.div(protos, tf.sqrt(tf.sum(tf.square(protos), 0, true)));
  return linear(h, unit);
}

/** Names the teacher copies: the image tower and the two heads. */
export function isTeacherParam(name: string): boolean {
  return name.startsWith('vision_model.') || name.startsWith('sd.global_head') || name.startsWith('sd.patch_head');
}

/** Creates the EMA teacher as a non-trainable copy of the student's image tower and heads (switch-on). */
export function createTeacher(student: ParamStore): ParamStore {
  const copies = new Map<string, tf.Tensor>();
  for (const [name, v] of student.vars) if (isTeacherParam(name)) copies.set(name, v.clone());
  return ParamStore.fromTensors(copies, false);
}

/** teacher ← m·teacher + (1 − m)·student for every teacher parameter. */
export function emaUpdate(teacher: ParamStore, student: ParamStore, momentum: number): void {
  for (const [name, t] of teacher.vars) {
    tf.tidy(() => t.assign(tf.add(tf.mul(t, momentum), tf.mul(student.get(name), 1 - momentum))));
  }
}

export { mulberry32 } from '../pipelines/random.js';

/** 0/1 mask [B × L] with exactly ⌊ratio·valid_b⌋ of each row's first valid_b positions set, chosen at random. */
export function randomPatchMask(valid: readonly number[], seqLen: number, ratio: number, rand: () => number): Float32Array {
  const out = new Float32Array(valid.length * seqLen);
  valid.forEach((n, b) => {
    const idx = Array.from({ length: n }, (_, i) => i);
    const k = Math.floor(ratio * n);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (n - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      out[b * seqLen + idx[i]!] = 1;
    }
  });
  return out;
}

/** Weights of the two terms: w_size·1.0 for local-to-global and w_size·0.25 for masked prediction (recipe §4). */
export function distillWeights(c: ModelConfig): { l2g: number; mask: number } {
  return { l2g: c.sdWeight, mask: 0.25 * c.sdWeight };
}

/** DINO's teacher temperature: τ_t at switch-on, its value after the warm-up, and the share of the phase it takes. */
export const TEACHER_TEMPERATURE = { from: 0.04, to: 0.07, warmupShare: 0.3 } as const;

/**
 * Teacher temperature τ_t at `step` (recipe §4, DINO defaults): `from` at the switch-on step, rising linearly to `to`
 * over the first `warmupShare` of the distillation phase [start, end), then constant; `to` when the phase began in an
 * earlier stage (start null).
 */
export function teacherTemperature(step: number, start: number | null, end: number, t = TEACHER_TEMPERATURE): number {
  if (start === null) return t.to;
  const warmup = Math.max(1, Math.round(t.warmupShare * (end - start)));
  const f = Math.min(1, Math.max(0, (step - start) / warmup));
  return t.from + f * (t.to - t.from);
}
