// Loads the compiled N-API addon (native/build/Release/sigforge_native.node) if it was built.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Activation codes understood by the addon's epilogue (native/src/epilogue.cc). */
export const ACTIVATION_CODES = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, leakyrelu: 4, elu: 5, prelu: 6 } as const;

/** The functions the compiled addon exports; all work in place on the typed arrays they are given. */
export interface NativeAddon {
  /** c[i] = op(a[aIndex[i]]) · op(b[bIndex[i]]) for i < batch; dense row-major matrices. */
  sgemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aIndex: Int32Array | null,
    bIndex: Int32Array | null,
  ): void;
  /** c[i] = act(c[i] + bias[i % bias.length]) in place; prelu's weights tile c the same way. */
  epilogue(
    c: Float32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
    preluWeights: Float32Array | null,
  ): void;
  /** y = tanh(x) elementwise. */
  tanh(x: Float32Array, y: Float32Array): void;
  /** y = exp(x) elementwise. */
  exp(x: Float32Array, y: Float32Array): void;
  /** y = x with axes permuted (y's axis j is x's axis perm[j]); 4-byte elements, int32 data moved bit for bit. */
  transpose(x: Float32Array, shape: Int32Array, perm: Int32Array, y: Float32Array): void;
  /** y[i] = x[i mod shape] per axis, y's shape being shape·reps; 4-byte elements. */
  tile(x: Float32Array, shape: Int32Array, reps: Int32Array, y: Float32Array): void;
  /** y[i] = a[·] op b[·] (op: 0 add, 1 sub, 2 mul, 3 div), each side read by its layout (binary-kernels.ts). */
  binary(
    op: number,
    a: Float32Array,
    aLayout: number,
    aN: number,
    b: Float32Array,
    bLayout: number,
    bN: number,
    y: Float32Array,
  ): void;
  /** y[o, i, :] = x[o, indices[i], :] for x as [outer, dim, inner]; -1, or the position of the first bad index. */
  gather(x: Float32Array, outer: number, dim: number, inner: number, indices: Int32Array, y: Float32Array): number;
  /** y = x^exponent elementwise. */
  powScalar(x: Float32Array, exponent: number, y: Float32Array): void;
  /** out[ids[i]] += x[i] over rows of x ([ids.length, inner]); ids outside [0, numSegments) are skipped. */
  segmentSum(x: Float32Array, ids: Int32Array, numSegments: number, out: Float32Array): void;
  /** out[o, i] = Σ_r x[o, r, i] for x viewed as [outer, reduce, inner]. */
  sumAxes(x: Float32Array, outer: number, reduce: number, inner: number, out: Float32Array): void;
  /** One AdamW step into new arrays (see native/adamw.ts for the formula); hyper = [β1, β2, clip, shrink, stepSize, epsHat]. */
  adamw(
    theta: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    theta1: Float32Array,
    m1: Float32Array,
    v1: Float32Array,
    beta1: number,
    beta2: number,
    clip: number,
    shrink: number,
    stepSize: number,
    epsHat: number,
  ): void;
  /** Σ x² accumulated in double. */
  sumSquares(x: Float32Array): number;
  /** y = (x − mean)·rsqrt(var + eps)·γ + β per row of x viewed as [rows, d]. */
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    rows: number,
    d: number,
    eps: number,
    y: Float32Array,
  ): void;
  /** The three LayerNorm gradients in one pass. */
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    rows: number,
    d: number,
    eps: number,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
  ): void;
  /** y = GELU(x) with the tanh approximation. */
  geluTanh(x: Float32Array, y: Float32Array): void;
  /** dx = dy·GELU'(x). */
  geluTanhGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  /** y[m,n] = x[m,k]·w[k,n] (+ bias[n]). */
  linear(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    m: number,
    k: number,
    n: number,
    y: Float32Array,
  ): void;
  /** dx = dy·wᵀ, dw = xᵀ·dy, db = Σ_rows dy (when db is given). */
  linearGrad(
    dy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    m: number,
    k: number,
    n: number,
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array | null,
  ): void;
  /** Multi-head attention on [B,T,D] projections: out [B,Tq,D] and probs [B,H,Tq,Tk]; bias read by 4 strides. */
  attention(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    bias: Float32Array | null,
    biasStrides: Int32Array | null,
    b: number,
    tq: number,
    tk: number,
    d: number,
    heads: number,
    scale: number,
    out: Float32Array,
    probs: Float32Array,
  ): void;
  /** Gradients of attention with respect to q, k and v from the output gradient and the probabilities. */
  attentionGrad(
    dout: Float32Array,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    probs: Float32Array,
    b: number,
    tq: number,
    tk: number,
    d: number,
    heads: number,
    scale: number,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
  ): void;
  /** lse[r] = logsumexp(logits[r]); loss[0] = Σ_r weights[r]·(lse[r] − logits[r, targets[r]]). */
  crossEntropy(
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    rows: number,
    classes: number,
    lse: Float32Array,
    loss: Float32Array,
  ): void;
  /** dlogits[r] = dloss·weights[r]·(softmax(logits[r]) − onehot(targets[r])). */
  crossEntropyGrad(
    dloss: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    lse: Float32Array,
    rows: number,
    classes: number,
    dlogits: Float32Array,
  ): void;
  setThreads(n: number): void;
  getThreads(): number;
  blasConfig(): string;
}

/** Environment variable that turns the addon off (`0`, `false`, `off`) without rebuilding. */
export const NATIVE_ENV = 'SIGFORGE_NATIVE';

/** Where node-gyp puts the addon. */
export const ADDON_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'build',
  'Release',
  'sigforge_native.node',
);

export type AddonLoad = { addon: NativeAddon; reason: string } | { addon: null; reason: string };

let cached: AddonLoad | undefined;

/** Loads the addon once; never throws: a missing or broken build comes back as `addon: null` with the reason. */
export function loadAddon(): AddonLoad {
  if (cached) return cached;
  cached = load();
  return cached;
}

function load(): AddonLoad {
  const env = process.env[NATIVE_ENV]?.toLowerCase();
  if (env === '0' || env === 'false' || env === 'off') {
    return { addon: null, reason: `disabled by ${NATIVE_ENV}=${process.env[NATIVE_ENV]}` };
  }
  if (!existsSync(ADDON_PATH)) {
    return {
      addon: null,
      reason: `native addon not built (${ADDON_PATH} missing; needs libopenblas-dev and a C++ compiler, then: node native/build.mjs)`,
    };
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    return { addon, reason: addon.blasConfig() };
  } catch (err) {
    return { addon: null, reason: `native addon failed to load: ${(err as Error).message}` };
  }
}
