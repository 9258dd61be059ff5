// Per-kernel timing of one tfjs computation, for benchmarks that report where a step spends its time.
import * as tf from '@tensorflow/tfjs';

/** Time spent in one kernel name over a profiled run. */
export interface KernelTime {
  readonly kernel: string;
  readonly ms: number;
  readonly calls: number;
  /** Fraction of the summed kernel time. */
  readonly share: number;
}

/** Kernel-by-kernel profile of a run, slowest first. */
export interface KernelProfile {
  /** Wall time of the whole run, profiling overhead included. */
  readonly wallMs: number;
  /** Sum of the kernels' own times. */
  readonly kernelMs: number;
  /** Time of tf.customGrad forward passes: already counted in the kernels they ran, so not part of kernelMs. */
  readonly customGradForwardMs: number;
  readonly kernels: KernelTime[];
}

/** Runs `fn` once under tf.profile and sums kernel time by kernel name (top `limit` kept, the rest as "other"). */
export async function profileKernels(fn: () => unknown, limit = 15): Promise<KernelProfile> {
  const t0 = performance.now();
  const info = await tf.profile(() => {
    const r = fn();
    // tf.profile keeps returned tensors alive; the run's own results are not needed here.
    tf.dispose(r as tf.TensorContainer);
    return [];
  });
  const wallMs = performance.now() - t0;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const ms = Number(await k.kernelTimeMs) || 0;
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    byName.set(k.name, e);
  }
  // tf.customGrad records its whole forward pass as one "forward" entry whose time repeats the kernels inside it.
  const nested = byName.get('forward');
  byName.delete('forward');
  const kernelMs = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  const sorted = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const round = (x: number): number => Math.round(x * 10) / 10;
  const kernels: KernelTime[] = sorted.slice(0, limit).map(([kernel, e]) => ({
    kernel,
    ms: round(e.ms),
    calls: e.calls,
    share: round((100 * e.ms) / (kernelMs || 1)) / 100,
  }));
  const rest = sorted.slice(limit);
  if (rest.length > 0) {
    const ms = rest.reduce((s, [, e]) => s + e.ms, 0);
    kernels.push({
      kernel: `other (${rest.length} kernels)`,
      ms: round(ms),
      calls: rest.reduce((s, [, e]) => s + e.calls, 0),
      share: round((100 * ms) / (kernelMs || 1)) / 100,
    });
  }
  const customGradMs = round(nested?.ms ?? 0);
  return { wallMs: round(wallMs), kernelMs: round(kernelMs), customGradForwardMs: customGradMs, kernels };
}
