// Swaps the native kernels into a tfjs backend's kernel registry (and back), remembering the originals.
import * as tf from '@tensorflow/tfjs';
import { type KernelConfig } from '@tensorflow/tfjs';
import { loadAddon, type NativeAddon } from './addon.js';
import { BUFFER_ACCESS, type NativeBackendName } from './backend-buffers.js';
import { NativeOptionsError } from './errors.js';
import { expKernel, powKernel, tanhKernel } from './elementwise-kernels.js';
import { gatherKernel, sliceKernel, tileKernel, transposeKernel } from './layout-kernels.js';
import { binaryKernel } from './binary-kernels.js';
import { ADAMW_KERNEL, adamwGroupKernel, adamwKernel } from './adamw.js';
import { attentionGradKernel, attentionKernel } from './attention-kernels.js';
import { FUSED_KERNELS } from './fused-names.js';
import {
  geluTanhGradKernel,
  geluTanhKernel,
  layerNormGradKernel,
  layerNormKernel,
  linearGradKernel,
  linearKernel,
} from './layer-kernels.js';
import { crossEntropyGradKernel, crossEntropyKernel, sumSquaresKernel } from './loss-kernels.js';
import { sumKernel } from './reduce-kernels.js';
import { segmentSumKernel } from './segment-kernels.js';
import { batchMatMulKernel, fusedMatMulKernel } from './matmul-kernels.js';
import { castKernel, identityKernel } from './alias-kernels.js';
import { installLeanGradients, releaseLeanGradients } from './lean-gradients.js';

/** What tryRegisterNativeKernels did. */
export interface NativeKernelsReport {
  readonly enabled: boolean;
  /** Why not, or what runs (BLAS build and thread count). */
  readonly reason: string;
  /** Kernel names now served natively on that backend. */
  readonly kernels: string[];
}

export interface NativeKernelOptions {
  /** BLAS threads (default: OpenBLAS's own, i.e. $OPENBLAS_NUM_THREADS or all cores). */
  readonly threads?: number;
}

type Access = (typeof BUFFER_ACCESS)[NativeBackendName];

/** How to build one native kernel; `optional` ones are added even where the backend has no kernel of that name. */
interface KernelEntry {
  readonly make: (
    addon: NativeAddon,
    access: Access,
    original: KernelConfig | undefined,
    backend: string,
  ) => KernelConfig;
  readonly optional?: boolean;
  /** Backends it is installed on (default: all). */
  readonly only?: readonly NativeBackendName[];
  /** A fused model kernel (fused-names.ts): left out when $SIGFORGE_NATIVE_FUSED is off. */
  readonly fused?: boolean;
}

/** Environment variable that leaves the fused model kernels out (`0`, `false`, `off`) and keeps the others. */
export const FUSED_ENV = 'SIGFORGE_NATIVE_FUSED';

function fusedOff(): boolean {
  return ['0', 'false', 'off'].includes((process.env[FUSED_ENV] ?? '').toLowerCase());
}

const fused = (make: KernelEntry['make']): KernelEntry => ({ make, optional: true, fused: true });

const required =
  (f: (addon: NativeAddon, access: Access, original: KernelConfig) => KernelConfig): KernelEntry['make'] =>
  (addon, access, original) =>
    f(addon, access, original!);

/** Kernels the addon provides, by tfjs kernel name. */
const KERNELS: Record<string, KernelEntry> = {
  BatchMatMul: { make: required(batchMatMulKernel) },
  _FusedMatMul: { make: required(fusedMatMulKernel) },
  Tanh: { make: required(tanhKernel) },
  Pow: { make: required(powKernel) },
  Exp: { make: required(expKernel) },
  Transpose: { make: required(transposeKernel) },
  Tile: { make: required(tileKernel) },
  GatherV2: { make: required(gatherKernel) },
  Add: { make: required(binaryKernel('Add')) },
  Sub: { make: required(binaryKernel('Sub')) },
  Multiply: { make: required(binaryKernel('Multiply')) },
  RealDiv: { make: required(binaryKernel('RealDiv')) },
  Sum: { make: required(sumKernel) },
  // Missing on wasm (so gather has no gradient there) and pathologically slow on cpu.
  UnsortedSegmentSum: { make: segmentSumKernel, optional: true },
  // New: one kernel for a whole AdamW parameter update (see adamw.ts).
  [ADAMW_KERNEL]: { make: adamwKernel, optional: true },
  // New: fused model ops, each a forward and a gradient kernel that model/ uses where registered (fused-names.ts).
  [FUSED_KERNELS.layerNorm]: fused(layerNormKernel),
  [FUSED_KERNELS.layerNormGrad]: fused(layerNormGradKernel),
  [FUSED_KERNELS.geluTanh]: fused(geluTanhKernel),
  [FUSED_KERNELS.geluTanhGrad]: fused(geluTanhGradKernel),
  [FUSED_KERNELS.linear]: fused(linearKernel),
  [FUSED_KERNELS.linearGrad]: fused(linearGradKernel),
  [FUSED_KERNELS.attention]: fused(attentionKernel),
  [FUSED_KERNELS.attentionGrad]: fused(attentionGradKernel),
  [FUSED_KERNELS.crossEntropy]: fused(crossEntropyKernel),
  [FUSED_KERNELS.crossEntropyGrad]: fused(crossEntropyGradKernel),
  [FUSED_KERNELS.sumSquares]: fused(sumSquaresKernel),
  [FUSED_KERNELS.adamwGroup]: fused(adamwGroupKernel),
  // The wasm backend copies on Identity and same-dtype Cast (~1,100 calls per tiny train step); share instead.
  Identity: { make: (_a, _x, original) => identityKernel(original!), only: ['wasm'] },
  Cast: { make: (_a, _x, original) => castKernel(original!), only: ['wasm'] },
  // The wasm Slice copies its whole input out of the heap first (readSync); copy only the slice.
  Slice: { make: required(sliceKernel), only: ['wasm'] },
};

/** Per backend, the kernel names installed and the configs they replaced (undefined where there was none). */
const installed = new Map<NativeBackendName, Map<string, KernelConfig | undefined>>();

function checkOptions(backend: string, opts: NativeKernelOptions): void {
  if (!Object.hasOwn(BUFFER_ACCESS, backend)) {
    throw new NativeOptionsError(
      `native kernels: unknown backend "${backend}"; valid: ${Object.keys(BUFFER_ACCESS).join(', ')}`,
      {
        backend,
      },
    );
  }
  const t = opts.threads;
  if (t !== undefined && !(Number.isInteger(t) && t >= 1 && t <= 1024)) {
    throw new NativeOptionsError(`native kernels: threads must be an integer in 1..1024, got ${String(t)}`, {
      threads: t,
    });
  }
}

/**
 * Replaces the backend's BatchMatMul and _FusedMatMul (BLAS), Add/Sub/Multiply/RealDiv (common broadcasts),
 * Tanh, Exp, Pow, Sum, Transpose, Tile, GatherV2 and UnsortedSegmentSum (added
 * where missing) with native kernels on its own buffers, on wasm shares buffers for Identity and same-dtype Cast, and
 * takes Sum/Mean gradients by broadcasting (lean-gradients.ts), and adds the fused model kernels of fused-names.ts
 * (unless $SIGFORGE_NATIVE_FUSED is off); returns enabled:false with the reason (and changes nothing) when the addon is not built or the backend is absent.
 */
export function tryRegisterNativeKernels(
  backend: NativeBackendName,
  opts: NativeKernelOptions = {},
): NativeKernelsReport {
  checkOptions(backend, opts);
  const { addon, reason } = loadAddon();
  if (!addon) return { enabled: false, reason, kernels: [] };
  if (opts.threads !== undefined) addon.setThreads(opts.threads);
  const describe = (): string => `${reason}; ${addon.getThreads()} BLAS thread(s)`;
  const already = installed.get(backend);
  if (already) return { enabled: true, reason: describe(), kernels: [...already.keys()] };

  const originals = new Map<string, KernelConfig | undefined>();
  for (const [name, entry] of Object.entries(KERNELS)) {
    if (entry.only && !entry.only.includes(backend)) continue;
    if (entry.fused && fusedOff()) continue;
    const original = tf.getKernel(name, backend);
    originals.set(name, original);
    if (!original && !entry.optional) {
      const hint = backend === 'wasm' ? ' (import @tensorflow/tfjs-backend-wasm first)' : '';
      return {
        enabled: false,
        reason: `tfjs backend "${backend}" has no ${name} kernel registered${hint}`,
        kernels: [],
      };
    }
  }
  const access = BUFFER_ACCESS[backend];
  for (const [name, original] of originals) {
    if (original) tf.unregisterKernel(name, backend);
    tf.registerKernel(KERNELS[name]!.make(addon, access, original, backend));
  }
  installed.set(backend, originals);
  installLeanGradients();
  return { enabled: true, reason: describe(), kernels: [...originals.keys()] };
}

/** Puts the backend's own kernels back; returns whether native ones were installed. */
export function unregisterNativeKernels(backend: NativeBackendName): boolean {
  const originals = installed.get(backend);
  if (!originals) return false;
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, backend);
    if (original) tf.registerKernel(original);
  }
  installed.delete(backend);
  releaseLeanGradients();
  return true;
}
