// Parameter naming, shapes and initialization. Names are the HF SigLIP ones; kernels are stored in [in, out]
// layout (HF Linear weights are [out, in]; `hf-layout.ts` converts at the checkpoint edge).
import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, visionPositions } from './config.js';
import { ModelError } from './errors.js';

export type Shape = readonly number[];
/** How a parameter is initialized (recipe §1.2). */
export type InitKind = 'xavier' | 'zeros' | 'ones' | 'tiny' | 'posemb' | 'embed' | 'logitScale' | 'logitBias';
export interface ParamSpec {
  readonly shape: Shape;
  readonly init: InitKind;
}

/** Read access to parameters by HF name (the student's variables, an EMA teacher's, or loaded weights). */
export type ParamGetter = (name: string) => tf.Tensor;

function blockSpecs(out: Map<string, ParamSpec>, prefix: string, d: number, m: number): void {
  for (const ln of ['layer_norm1', 'layer_norm2']) {
    out.set(`${prefix}.${ln}.weight`, { shape: [d], init: 'ones' });
    out.set(`${prefix}.${ln}.bias`, { shape: [d], init: 'zeros' });
  }
  for (const p of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
    out.set(`${prefix}.self_attn.${p}.weight`, { shape: [d, d], init: 'xavier' });
    out.set(`${prefix}.self_attn.${p}.bias`, { shape: [d], init: 'zeros' });
  }
  out.set(`${prefix}.mlp.fc1.weight`, { shape: [d, m], init: 'xavier' });
  out.set(`${prefix}.mlp.fc1.bias`, { shape: [m], init: 'tiny' });
  out.set(`${prefix}.mlp.fc2.weight`, { shape: [m, d], init: 'xavier' });
  out.set(`${prefix}.mlp.fc2.bias`, { shape: [d], init: 'tiny' });
}

/** Shapes of the two towers, MAP head, text head and logit scale/bias (everything an HF SigLIP checkpoint holds). */
export function towerSpecs(c: ModelConfig): Map<string, ParamSpec> {
  const out = new Map<string, ParamSpec>();
  const v = c.vision;
  const d = v.width;
  const pv = 'vision_model';
  out.set(`${pv}.embeddings.patch_embedding.weight`, { shape: [v.patchSize * v.patchSize * 3, d], init: 'xavier' });
  out.set(`${pv}.embeddings.patch_embedding.bias`, { shape: [d], init: 'zeros' });
  out.set(`${pv}.embeddings.position_embedding.weight`, { shape: [visionPositions(c), d], init: 'posemb' });
  for (let i = 0; i < v.depth; i++) blockSpecs(out, `${pv}.encoder.layers.${i}`, d, v.mlpDim);
  out.set(`${pv}.post_layernorm.weight`, { shape: [d], init: 'ones' });
  out.set(`${pv}.post_layernorm.bias`, { shape: [d], init: 'zeros' });
  // Without the MAP head (HF vision_use_head: false) the checkpoint holds no head tensors.
  if (v.useHead) {
    out.set(`${pv}.head.probe`, { shape: [1, 1, d], init: 'xavier' });
    out.set(`${pv}.head.attention.in_proj_weight`, { shape: [d, 3 * d], init: 'xavier' });
    out.set(`${pv}.head.attention.in_proj_bias`, { shape: [3 * d], init: 'zeros' });
    out.set(`${pv}.head.attention.out_proj.weight`, { shape: [d, d], init: 'xavier' });
    out.set(`${pv}.head.attention.out_proj.bias`, { shape: [d], init: 'zeros' });
    out.set(`${pv}.head.layernorm.weight`, { shape: [d], init: 'ones' });
    out.set(`${pv}.head.layernorm.bias`, { shape: [d], init: 'zeros' });
    out.set(`${pv}.head.mlp.fc1.weight`, { shape: [d, v.mlpDim], init: 'xavier' });
    out.set(`${pv}.head.mlp.fc1.bias`, { shape: [v.mlpDim], init: 'tiny' });
    out.set(`${pv}.head.mlp.fc2.weight`, { shape: [v.mlpDim, d], init: 'xavier' });
    out.set(`${pv}.head.mlp.fc2.bias`, { shape: [d], init: 'tiny' });
  }

  const t = c.text;
  const pt = 'text_model';
  out.set(`${pt}.embeddings.token_embedding.weight`, { shape: [t.vocabSize, t.width], init: 'embed' });
  out.set(`${pt}.embeddings.position_embedding.weight`, { shape: [t.maxLength, t.width], init: 'posemb' });
  for (let i = 0; i < t.depth; i++) blockSpecs(out, `${pt}.encoder.layers.${i}`, t.width, t.mlpDim);
  out.set(`${pt}.final_layer_norm.weight`, { shape: [t.width], init: 'ones' });
  out.set(`${pt}.final_layer_norm.bias`, { shape: [t.width], init: 'zeros' });
  out.set(`${pt}.head.weight`, { shape: [t.width, c.embedDim], init: 'xavier' });
  out.set(`${pt}.head.bias`, { shape: [c.embedDim], init: 'zeros' });
  out.set('logit_scale', { shape: [1], init: 'logitScale' });
  out.set('logit_bias', { shape: [1], init: 'logitBias' });
  return out;
}

/** Number of elements of a shape. */
export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Total parameter count of a spec map, optionally only names starting with a prefix (no allocation). */
export function countParams(specs: Map<string, ParamSpec>, prefix = ''): number {
  let n = 0;
  for (const [name, s] of specs) if (name.startsWith(prefix)) n += numel(s.shape);
  return n;
}

/** Creates one initial value for a spec; `seed` makes it reproducible. */
export function initValue(spec: ParamSpec, seed: number): tf.Tensor {
  const { shape, init } = spec;
  const s = [...shape];
  switch (init) {
    case 'zeros':
      return tf.zeros(s);
    case 'ones':
      return tf.ones(s);
    case 'tiny':
      return tf.randomNormal(s, 0, 1e-6, 'float32', seed);
    case 'posemb':
    case 'embed':
      return tf.randomNormal(s, 0, 1 / Math.sqrt(s[s.length - 1]!), 'float32', seed);
    case 'logitScale':
      return tf.fill(s, Math.log(10));
    case 'logitBias':
      return tf.fill(s, -10);
    case 'xavier': {
      const fanIn = s.length > 1 ? numel(s.slice(0, -1)) : s[0]!;
      const fanOut = s[s.length - 1]!;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.randomUniform(s, -limit, limit, 'float32', seed);
    }
  }
}

/** A named set of trainable variables. */
export class ParamStore {
  constructor(readonly vars: Map<string, tf.Variable>) {}

  /** Creates fresh variables for every spec, seeded per name. */
  static init(specs: Map<string, ParamSpec>, seed = 0): ParamStore {
    const vars = new Map<string, tf.Variable>();
    let i = 0;
    for (const [name, spec] of specs) {
      const v = initValue(spec, seed * 100_003 + i++);
      vars.set(name, tf.variable(v, true, `${name}#${seedTag++}`));
      v.dispose();
    }
    return new ParamStore(vars);
  }

  /** Wraps existing tensors (which the store then owns) as variables. */
  static fromTensors(tensors: Map<string, tf.Tensor>, trainable = true): ParamStore {
    const vars = new Map<string, tf.Variable>();
    for (const [name, t] of tensors) {
      vars.set(name, tf.variable(t, trainable, `${name}#${seedTag++}`));
      t.dispose();
    }
    return new ParamStore(vars);
  }

  /** The getter the model functions take. */
  readonly get: ParamGetter = (name) => {
    const v = this.vars.get(name);
    if (!v) throw new ModelError(`parameter "${name}" does not exist (store has ${this.vars.size} parameters)`);
    return v;
  };

  /** Adds variables from another store (which must not overlap). */
  merge(other: ParamStore): this {
    for (const [k, v] of other.vars) {
      if (this.vars.has(k)) throw new ModelError(`parameter "${k}" exists twice`);
      this.vars.set(k, v);
    }
    return this;
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// tfjs variable names must be globally unique; a counter keeps stores independent.
let seedTag = 0;
