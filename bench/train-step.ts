// `npm run bench -- train-step [--steps N] [--batch B] [--preset measured5m] [--threads T] [--only wasm,wasm+native]`:
// one optimizer step of the `tiny` config with all stage-1 losses (sigmoid + LocCa: captioning with 50% parallel
// prediction, ARef, GCap) on each available backend, with and without the native BLAS kernels (native/), each in its own
// process (so peak RSS is per backend), and the same architecture in PyTorch on CPU with the native kernels' threads.
// Each backend's result carries a per-kernel profile of one step (where the time goes, before and after native/).
// `--preset measured5m` is MEASURED.md's 5.3M two-tower (sigmoid loss only) for comparison.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { releaseBackend, selectBackend } from '../model/backend.js';
import { type ModelConfig, modelConfig, parseModelConfig } from '../model/config.js';
import { trainStepFlops } from '../model/flops.js';
import { type AdapterReport } from '../model/webgpu/dawn.js';
import { countDispatches } from '../model/webgpu/dispatches.js';
import { hostResidentBackend, type Pending, readAll, readAllSync } from '../model/step-metrics.js';
import { type TrainBatch, type TrainModel, type TrainStepResult, createTrainModel, trainStepDeferred } from '../model/train-step.js';
import { profileKernels } from '../native/profile.js';
import { FUSED_ENV } from '../native/register.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
// `+native`: the backend with native/'s kernels; `+native-unfused`: the same without the fused model kernels
// ($SIGFORGE_NATIVE_FUSED=0: BLAS and elementwise kernels under the composite ops); plain wasm/cpu are TensorFlow.js's
// own kernels (the wasm backend runs one thread under Node whatever it is told, MEASURED.md).
const VARIANTS = ['tensorflow', 'webgpu', 'wasm', 'wasm+native', 'wasm+native-unfused', 'cpu', 'cpu+native'] as const;

interface Result {
  steps_per_s: number;
  images_per_s: number;
  gflop_per_s: number;
  peak_rss_mb: number;
  step_s: number;
  /** CPU seconds per step, all threads: steadier than wall time on a shared machine. */
  cpu_s_per_step: number;
  /** The native kernels' state (threads, BLAS), or why they are off. */
  native: string | null;
  /** The GPU adapter (webgpu only). */
  adapter?: AdapterReport;
  /** GPU programs dispatched by one step (webgpu only; Reshape and other views dispatch nothing). */
  dispatches_per_step?: number;
  /** Per-kernel time of one profiled step, slowest first; kernel_calls counts every kernel the step ran. */
  profile: {
    wall_ms: number;
    kernel_ms: number;
    kernel_calls: number;
    kernels: { kernel: string; ms: number; calls: number }[];
  };
}

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** The benchmarked architecture: `tiny`, or MEASURED.md's 5.3M two-tower. */
function configFor(preset: string): ModelConfig {
  if (preset === 'tiny') return modelConfig('tiny');
  if (preset === 'measured5m') {
    const tower = { width: 192, depth: 4, heads: 3, mlpDim: 768 };
    return parseModelConfig({
      name: 'measured5m',
      vision: { ...tower, patchSize: 16, imageSize: 64 },
      text: { ...tower, vocabSize: 8192, maxLength: 16 },
      embedDim: 192,
      decoderDepth: 0,
      sdWeight: 0,
    });
  }
  throw new Error(`unknown preset "${preset}"; valid: tiny, measured5m`);
}

/** A stage-1 batch (sigmoid + LocCa, 3 tasks) of `b` rows with its mask counts. */
export function batchFor(c: ModelConfig, b: number): TrainBatch {
  const t = c.text.maxLength;
  const ids = tf.tensor2d(
    Int32Array.from({ length: b * t }, (_, i) => 3 + ((i * 7919) % (c.text.vocabSize - 3))),
    [b, t],
    'int32',
  );
  const halfHost = Float32Array.from({ length: b * t }, (_, i) => (i % t < t / 2 ? 1 : 0));
  const half = tf.tensor2d(halfHost, [b, t]);
  // The count travels with the batch, as the trainer's batches carry it: no read of the mask on a GPU.
  const tokens = halfHost.reduce((a, x) => a + x, 0);
  return {
    images: {
      kind: 'fixed',
      images: tf.randomUniform([b, c.vision.imageSize, c.vision.imageSize, 3], -1, 1, 'float32', 1) as tf.Tensor4D,
    },
    ids,
    locca:
      c.decoderDepth === 0
        ? []
        : [
            { targets: ids, lossMask: half, tokens, parallel: Array.from({ length: b }, (_, i) => i % 2 === 0) },
            { targets: ids, lossMask: half, tokens },
            { targets: ids, lossMask: half, tokens },
          ],
  };
}

const loccaTasks = (c: ModelConfig) => (c.decoderDepth === 0 ? 0 : 3);

/** `steps` steps; on cpu/wasm each is read at once (free), on a GPU all are read at the end (one wait for the queue). */
async function timedSteps(model: TrainModel, data: TrainBatch, steps: number, variant: string): Promise<void> {
  const pending: Pending<TrainStepResult>[] = [];
  for (let i = 0; i < steps; i++) {
    pending.push(trainStepDeferred(model, data));
    if (hostResidentBackend()) for (const r of readAllSync(pending.splice(0))) process.stderr.write(`${variant} step ${r.step} loss ${r.loss.toFixed(4)}\n`);
  }
  for (const r of await readAll(pending)) process.stderr.write(`${variant} step ${r.step} loss ${r.loss.toFixed(4)}\n`);
}

async function child(variant: string, steps: number, batch: number, preset: string, threads: number): Promise<Result> {
  const [backend, withNative] = variant.split('+') as [string, string | undefined];
  // The parent sets $SIGFORGE_NATIVE_FUSED=0 for `native-unfused`.
  const native = withNative === 'native' || withNative === 'native-unfused';
  const choice = await selectBackend(backend, undefined, { native, nativeThreads: threads });
  if (withNative && !choice.native?.enabled) throw new Error(`native kernels unavailable: ${choice.native?.reason}`);
  const c = configFor(preset);
  const model = createTrainModel(c, { seed: 0 });
  const data = batchFor(c, batch);
  await timedSteps(model, data, 2, variant); // warm-up: kernels (shader compilation on webgpu), optimizer state
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await timedSteps(model, data, steps, variant);
  const cpu = process.cpuUsage(c0);
  const stepS = (performance.now() - t0) / 1000 / steps;
  const p = await profileKernels(() => trainStepDeferred(model, data), 12);
  const dispatches = choice.name === 'webgpu' ? await countDispatches(() => readAll([trainStepDeferred(model, data)])) : null;
  const n = (c.vision.imageSize / c.vision.patchSize) ** 2;
  const flops = trainStepFlops(c, batch, n, loccaTasks(c));
  return {
    step_s: stepS,
    steps_per_s: 1 / stepS,
    images_per_s: batch / stepS,
    gflop_per_s: flops / stepS / 1e9,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    cpu_s_per_step: (cpu.user + cpu.system) / 1e6 / steps,
    native: choice.native ? `${choice.native.enabled ? 'on' : 'off'}: ${choice.native.reason}` : null,
    ...(choice.adapter ? { adapter: choice.adapter } : {}),
    ...(dispatches !== null ? { dispatches_per_step: dispatches } : {}),
    profile: {
      wall_ms: p.wallMs,
      kernel_ms: p.kernelMs,
      kernel_calls: p.kernels.reduce((n, k) => n + k.calls, 0),
      kernels: p.kernels.map(({ kernel, ms, calls }) => ({ kernel, ms, calls })),
    },
  };
}

function lastJson(text: string): unknown {
  const line = text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  return line ? JSON.parse(line) : null;
}

/** Runs the benchmark; in a child process (`--child <backend>`) times one backend. */
export default async function (args: string[]): Promise<unknown> {
  const steps = arg(args, '--steps', 5);
  const batch = arg(args, '--batch', 32);
  const pi = args.indexOf('--preset');
  const preset = pi >= 0 ? args[pi + 1]! : 'tiny';
  const threads = arg(args, '--threads', os.availableParallelism());
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? args[oi + 1]!.split(',') : [...VARIANTS];
  const unknown = only.filter((v) => !(VARIANTS as readonly string[]).includes(v));
  if (unknown.length > 0)
    throw new Error(`--only: unknown variant(s) ${unknown.join(', ')}; valid: ${VARIANTS.join(', ')}`);
  const ci = args.indexOf('--child');
  if (ci >= 0) {
    try {
      return await child(args[ci + 1]!, steps, batch, preset, threads);
    } finally {
      await releaseBackend(); // Dawn keeps Node alive otherwise
    }
  }

  const c = configFor(preset);
  const tasks = loccaTasks(c);
  const patches = (c.vision.imageSize / c.vision.patchSize) ** 2;
  const out: Record<string, unknown> = {
    config: {
      name: c.name,
      vision: `ViT width ${c.vision.width}, depth ${c.vision.depth}, heads ${c.vision.heads}, MLP ${c.vision.mlpDim}, ${c.vision.imageSize}px/${c.vision.patchSize} (${patches} patches), MAP head`,
      text: `width ${c.text.width}, depth ${c.text.depth}, vocab ${c.text.vocabSize}, ${c.text.maxLength} tokens`,
      locca:
        tasks === 0
          ? 'none (sigmoid loss only)'
          : `decoder depth ${c.decoderDepth}, 3 tasks (Cap 50% parallel, ARef, GCap)`,
      batch,
      steps,
      threads: `${threads} for the native kernels and torch; plain wasm runs one`,
      load_average: os.loadavg().map((l) => Math.round(l * 10) / 10),
      train_gflop_per_step: trainStepFlops(c, batch, patches, tasks) / 1e9,
    },
  };
  const skipped: Record<string, string> = {};
  const results = new Map<string, Result>();
  for (const variant of only) {
    const n = variant.startsWith('cpu') ? Math.max(1, Math.ceil(steps / 3)) : steps;
    process.stderr.write(`train-step: ${variant}…\n`);
    const argv = ['--import', 'tsx', path.join(here, 'run.ts'), 'train-step', '--child', variant, '--steps', String(n)];
    argv.push('--batch', String(batch), '--preset', preset, '--threads', String(threads));
    const env = variant.endsWith('-unfused') ? { ...process.env, [FUSED_ENV]: '0' } : process.env;
    const r = spawnSync(process.execPath, argv, {
      cwd: root,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const res = r.status === 0 ? (lastJson(r.stdout) as Result | null) : null;
    if (!res) {
      skipped[variant] =
        variant === 'tensorflow' ? '@tensorflow/tfjs-node(-gpu) not installed' : variant === 'webgpu' ? `no WebGPU adapter or it failed (child exited ${r.status})` : `child exited ${r.status}`;
      continue;
    }
    out[variant] = res;
    results.set(variant, res);
  }
  out.skipped = skipped;
  process.stderr.write('train-step: torch…\n');
  const cfgJson = JSON.stringify(c);
  const script = path.join(root, 'scripts/reference/siglip2_train_step_torch.py');
  const py = spawnSync('python3', [script, cfgJson, String(batch), String(steps), String(threads)], {
    encoding: 'utf8',
  });
  const torch = py.status === 0 ? (lastJson(py.stdout) as Result | null) : null;
  if (torch) {
    torch.gflop_per_s = trainStepFlops(c, batch, patches, tasks) / torch.step_s / 1e9;
    out.torch = torch;
  } else {
    out.torch = null;
    out.torch_reason = (py.stderr || py.error?.message || 'python3 failed').trim().split('\n').pop();
  }
  const bestName = [...results.entries()].sort((a, b) => a[1].step_s - b[1].step_s)[0]?.[0];
  const best = bestName ? results.get(bestName)! : null;
  const gpu = results.get('webgpu');
  out.webgpu_ratio_vs_torch = gpu && torch ? gpu.step_s / torch.step_s : null;
  const wasm = results.get('wasm');
  const native = results.get('wasm+native');
  const unfused = results.get('wasm+native-unfused');
  out.best = bestName ?? null;
  out.gflop_per_s = best?.gflop_per_s ?? null;
  out.ratio_vs_torch = best && torch ? best.step_s / torch.step_s : null;
  out.cpu_ratio_vs_torch = best && torch?.cpu_s_per_step ? best.cpu_s_per_step / torch.cpu_s_per_step : null;
  out.native_speedup_vs_wasm = wasm && native ? wasm.step_s / native.step_s : null;
  out.native_cpu_speedup_vs_wasm = wasm && native ? wasm.cpu_s_per_step / native.cpu_s_per_step : null;
  out.fused_speedup = unfused && native ? unfused.step_s / native.step_s : null;
  out.fused_cpu_speedup = unfused && native ? unfused.cpu_s_per_step / native.cpu_s_per_step : null;
  return out;
}
