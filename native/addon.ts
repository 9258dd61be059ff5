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
