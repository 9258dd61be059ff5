// Matmul throughput (GFLOP/s): tfjs cpu and wasm backends with and without the native BLAS kernels,
// against numpy (and torch where installed) in the same run, same shapes and threads.
// Usage: npm run bench -- matmul [--threads N] [--all] [--quick]
//   --all    also time the slow JS cpu kernel on shapes above 0.3 GFLOP; --quick  shorter timing windows
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  loadAddon,
  tryRegisterNativeKernels,
  unregisterNativeKernels,
  type NativeBackendName,
} from '../native/index.js';

interface Shape {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

// Tiny SigLIP 2 towers (width 192, MLP 768, 3 heads of 64, 32 examples × 16 tokens) and a B/16-sized layer.
const SHAPES: Shape[] = [
  { name: 'square 256', a: [256, 256], b: [256, 256], transposeA: false, transposeB: false },
  { name: 'square 512', a: [512, 512], b: [512, 512], transposeA: false, transposeB: false },
  { name: 'square 1024', a: [1024, 1024], b: [1024, 1024], transposeA: false, transposeB: false },
  { name: 'square 512 A·Bᵀ', a: [512, 512], b: [512, 512], transposeA: false, transposeB: true },
  { name: 'square 512 Aᵀ·B', a: [512, 512], b: [512, 512], transposeA: true, transposeB: false },
  { name: 'tiny qkv x·W', a: [512, 192], b: [192, 576], transposeA: false, transposeB: false },
  { name: 'tiny mlp-up x·W', a: [512, 192], b: [192, 768], transposeA: false, transposeB: false },
  { name: 'tiny mlp-up dX=dY·Wᵀ', a: [512, 768], b: [192, 768], transposeA: false, transposeB: true },
  { name: 'tiny mlp-up dW=xᵀ·dY', a: [512, 192], b: [512, 768], transposeA: true, transposeB: false },
  { name: 'tiny attn q·kᵀ (96 heads×batch)', a: [96, 16, 64], b: [96, 16, 64], transposeA: false, transposeB: true },
  { name: 'tiny attn p·v', a: [96, 16, 16], b: [96, 16, 64], transposeA: false, transposeB: false },
  { name: 'B/16 mlp-up x·W (8×197 tokens)', a: [1576, 768], b: [768, 3072], transposeA: false, transposeB: false },
  { name: 'B/16 mlp-up dW=xᵀ·dY', a: [1576, 768], b: [1576, 3072], transposeA: true, transposeB: false },
];

function flops(s: Shape): number {
  const r = s.a.length;
  const m = s.transposeA ? s.a[r - 1]! : s.a[r - 2]!;
  const k = s.transposeA ? s.a[r - 2]! : s.a[r - 1]!;
  const n = s.transposeB ? s.b[s.b.length - 2]! : s.b[s.b.length - 1]!;
  const batch = s.a.slice(0, -2).reduce((p, d) => p * d, 1);
  return 2 * batch * m * n * k;
}

/**
 * GFLOP/s of the fastest repetition (the machine is shared, so the fastest run is the most repeatable figure)
 * over a window of `windowS` seconds, at least 3 repetitions after a warm-up; a warm-up slower than the whole
 * window counts as the only sample.
 */
function time(run: () => void, work: number, windowS: number): number {
  const w0 = performance.now();
  run();
  let best = performance.now() - w0;
  if (best < windowS * 1000) {
    const start = performance.now();
    for (let reps = 0; reps < 3 || (performance.now() - start < windowS * 1000 && reps < 200); reps++) {
      const t0 = performance.now();
      run();
      best = Math.min(best, performance.now() - t0);
    }
  }
  return Math.round((work / (best / 1000) / 1e9) * 10) / 10;
}

async function timeTfjs(backend: NativeBackendName, native: boolean, s: Shape, windowS: number): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  if (native) tryRegisterNativeKernels(backend);
  else unregisterNativeKernels(backend);
  const a = tf.randomNormal(s.a);
  const b = tf.randomNormal(s.b);
  try {
    return time(() => tf.matMul(a, b, s.transposeA, s.transposeB).dispose(), flops(s), windowS);
  } finally {
    a.dispose();
    b.dispose();
    unregisterNativeKernels(backend);
  }
}

// numpy and torch in one long-lived python3 process, asked shape by shape so that they time under the same
// machine load as the tfjs runs next to them. Protocol: one JSON request per line in, one JSON answer per line out.
const PEER_SCRIPT = `
import json, sys, time
info = {}
try:
    import numpy as np
    info["numpy"] = np.__version__
except ImportError as e:
    np = None; info["numpy_error"] = str(e)
try:
    import torch
    torch.set_num_threads(int(sys.argv[1]))
    info["torch"] = torch.__version__
except ImportError as e:
    torch = None; info["torch_error"] = str(e)
print(json.dumps(info), flush=True)
def timed(f, work, window):
    t0 = time.perf_counter(); f(); best = time.perf_counter() - t0
    if best < window:
        start = time.perf_counter(); reps = 0
        while reps < 3 or (time.perf_counter() - start < window and reps < 200):
            t0 = time.perf_counter(); f(); best = min(best, time.perf_counter() - t0); reps += 1
    return round(work / best / 1e9, 1)
for line in sys.stdin:
    s = json.loads(line); out = {}
    if np is not None:
        a = np.random.standard_normal(s["a"]).astype(np.float32)
        b = np.random.standard_normal(s["b"]).astype(np.float32)
        A = np.swapaxes(a, -1, -2) if s["tA"] else a
        B = np.swapaxes(b, -1, -2) if s["tB"] else b
        out["numpy"] = timed(lambda: np.matmul(A, B), s["flops"], s["window"])
        if torch is not None:
            TA = torch.from_numpy(a); TB = torch.from_numpy(b)
            TA = TA.transpose(-1, -2) if s["tA"] else TA
            TB = TB.transpose(-1, -2) if s["tB"] else TB
            with torch.no_grad():
                out["torch"] = timed(lambda: torch.matmul(TA, TB), s["flops"], s["window"])
    print(json.dumps(out), flush=True)
`;

interface PeerInfo {
  numpy?: string;
  torch?: string;
  numpy_error?: string;
  torch_error?: string;
}

/** Starts the python peer; `ask` resolves with its GFLOP/s for one shape (empty when python is missing). */
async function startPeers(threads: number): Promise<{
  info: PeerInfo;
  ask: (s: Shape, windowS: number) => Promise<{ numpy?: number; torch?: number }>;
  close: () => void;
}> {
  const t = String(threads);
  const child = spawn('python3', ['-c', PEER_SCRIPT, t], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t },
  });
  const failed = new Promise<null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('exit', () => resolve(null));
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string | null> => {
    const r = await Promise.race([lines.next(), failed]);
    return r && !r.done ? r.value : null;
  };
  const first = await next();
  if (first === null) {
    return { info: { numpy_error: 'python3 not available' }, ask: () => Promise.resolve({}), close: () => undefined };
  }
  return {
    info: JSON.parse(first) as PeerInfo,
    ask: async (s, windowS) => {
      child.stdin.write(
        `${JSON.stringify({ a: s.a, b: s.b, tA: s.transposeA, tB: s.transposeB, flops: flops(s), window: windowS })}\n`,
      );
      const line = await next();
      return line ? (JSON.parse(line) as { numpy?: number; torch?: number }) : {};
    },
    close: () => child.stdin.end(),
  };
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  return Math.round(s[Math.floor(s.length / 2)]! * 100) / 100;
}

/** Runs the benchmark and returns its JSON summary. */
export default async function matmulBench(args: string[]): Promise<unknown> {
  const ti = args.indexOf('--threads');
  const threads = ti >= 0 ? Number(args[ti + 1]) : os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`--threads must be a positive integer, got ${args[ti + 1]}`);
  const all = args.includes('--all');
  const windowS = args.includes('--quick') ? 0.2 : 0.5;
  const { addon, reason } = loadAddon();
  if (addon) tryRegisterNativeKernels('cpu', { threads }); // sets the BLAS thread count for the whole run
  unregisterNativeKernels('cpu');
  const peers = await startPeers(threads);
  const results: Record<string, unknown>[] = [];
  for (const s of SHAPES) {
    const gflop = flops(s) / 1e9;
    const transposed = s.transposeA || s.transposeB;
    const row: Record<string, unknown> = {
      shape: s.name,
      a: s.a,
      b: s.b,
      transposeA: s.transposeA,
      transposeB: s.transposeB,
      gflop,
    };
    // The slow baselines would take minutes on the big shapes: skipped there unless --all.
    row.cpu_js = all || gflop <= 0.3 ? await timeTfjs('cpu', false, s, windowS) : null;
    row.wasm = all || !transposed || gflop <= 1 ? await timeTfjs('wasm', false, s, windowS) : null;
    row.cpu_native = addon ? await timeTfjs('cpu', true, s, windowS) : null;
    row.wasm_native = addon ? await timeTfjs('wasm', true, s, windowS) : null;
    const peer = await peers.ask(s, windowS);
    row.numpy = peer.numpy ?? null;
    row.torch = peer.torch ?? null;
    console.error(
      `${s.name.padEnd(34)} ${JSON.stringify(row, ['cpu_js', 'wasm', 'cpu_native', 'wasm_native', 'numpy', 'torch'])}`,
    );
    results.push(row);
  }
  peers.close();
  const ratio = (key: string, peer: string): number | null =>
    median(
      results
        .filter((r) => typeof r[key] === 'number' && typeof r[peer] === 'number')
        .map((r) => (r[key] as number) / (r[peer] as number)),
    );
  return {
    bench: 'matmul',
    unit: 'GFLOP/s of the fastest repetition',
    load_average: os.loadavg().map((x) => Math.round(x * 10) / 10),
    threads,
    cpus: os.cpus()[0]?.model ?? 'unknown',
    native: addon ? reason : `not available: ${reason}`,
    numpy: peers.info.numpy ?? peers.info.numpy_error ?? null,
    torch: peers.info.torch ?? peers.info.torch_error ?? null,
    results,
    summary: {
      wasm_native_vs_numpy_median: ratio('wasm_native', 'numpy'),
      cpu_native_vs_numpy_median: ratio('cpu_native', 'numpy'),
      wasm_native_vs_torch_median: ratio('wasm_native', 'torch'),
      wasm_native_vs_wasm_median: ratio('wasm_native', 'wasm'),
      cpu_native_vs_cpu_js_median: ratio('cpu_native', 'cpu_js'),
    },
  };
}
