// Batch-feed benchmark: images/s and MB/s that `batches serve` delivers to a Python consumer (clients/python, numpy
// views) over loopback, per producer CPU-second, next to the in-process loader on the same data in the same run;
// plus the consumer's CPU per batch. Fixed 224 (with augmentation) and NaFlex 256, 640×480 JPEG sources.
// Usage: npm run bench -- batch-feed [rows] [batches]      (needs `bash scripts/setup python`)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFeedServer } from '../pipelines/feed/server.js';
import { parseLoaderConfig, type LoaderConfigInput } from '../pipelines/loader/config.js';
import { StreamingLoader } from '../pipelines/loader/loader.js';
import { type ObjectStore, openStore } from '../storage/index.js';
import { writeEmojiDataset } from '../workflows/dev/emoji-dataset.js';

const PYTHON = path.resolve('.tools/python/bin/python');
const log = (msg: string): void => void process.stderr.write(`[batch-feed bench] ${msg}\n`);
const tokenize = (t: readonly string[]): Int32Array => new Int32Array(t.length * 64);

// The consumer: reads `n` batches after 2 warm-up batches, touching each image array's first and last element.
const CONSUMER = `
import json, sys, time
from sigforge_batches import BatchStream
url, n = sys.argv[1], int(sys.argv[2])
it = iter(BatchStream(url, limit=n + 2))
for _ in range(2): next(it)
c0, t0, images = time.process_time(), time.perf_counter(), 0
for b in it:
    x = b["image"] if "image" in b else b["patches"]
    images += x.shape[0]; float(x.flat[0]) + float(x.flat[-1])
print(json.dumps({"images": images, "batches": n, "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}))
`;

async function inProcess(store: ObjectStore, shards: string[], cfg: LoaderConfigInput, batches: number): Promise<{ images_per_s: number; images_per_cpu_s: number }> {
  const loader = await StreamingLoader.open({ store, shards, config: parseLoaderConfig(cfg), tokenize, seed: 1 });
  for (let i = 0; i < 2; i++) await loader.next();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let images = 0;
  for (let i = 0; i < batches; i++) images += (await loader.next()).ids.length;
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  await loader.close();
  return { images_per_s: Math.round(images / secs), images_per_cpu_s: Math.round(images / ((cpu.user + cpu.system) / 1e6)) };
}

function consume(url: string, batches: number): Promise<{ images: number; batches: number; seconds: number; cpu_seconds: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ['-c', CONSUMER, url, String(batches)], { env: { ...process.env, PYTHONPATH: path.resolve('clients/python') } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`consumer exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function overHttp(store: ObjectStore, shards: string[], cfg: LoaderConfigInput, pixels: 'float32' | 'uint8', batches: number): Promise<Record<string, number | string>> {
  const spec = { data: 'emoji@v1', config: parseLoaderConfig(cfg), tokenizer: { name: 'zeros', vocabSize: 1, length: 64 }, pixels };
  const server = await startFeedServer({ store, shards, spec, tokenize, seed: 1, rank: 0, worldSize: 1 });
  const c0 = process.cpuUsage();
  try {
    const r = await consume(server.url, batches);
    const cpu = process.cpuUsage(c0);
    const producerCpu = (cpu.user + cpu.system) / 1e6;
    const bytes = server.bytesSent; // warm-up batches included: scaled out below (batches are equal-sized)
    return {
      pixels,
      images_per_s: Math.round(r.images / r.seconds),
      mb_per_s: Number(((bytes * r.batches) / (r.batches + 2) / 1e6 / r.seconds).toFixed(1)),
      images_per_producer_cpu_s: Math.round((r.images + 2 * spec.config.batchSize) / producerCpu),
      consumer_cpu_ms_per_batch: Number(((r.cpu_seconds / r.batches) * 1000).toFixed(2)),
      producer_cpu_ms_per_batch: Number(((producerCpu / (r.batches + 2)) * 1000).toFixed(1)),
    };
  } finally {
    await server.close();
  }
}

export default async function batchFeedBench(args: string[]): Promise<unknown> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} missing: run \`bash scripts/setup python\``);
  const rows = Number(args[0] ?? 512);
  const batches = Number(args[1] ?? 12);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-feed-bench-'));
  try {
    const store = openStore(pathToFileURL(dir).href);
    log(`writing ${rows} rows of 640×480 JPEG (not timed)`);
    const shards = (await writeEmojiDataset(store, { rows, shards: 4, rowGroupRows: 128, side: 640 })).shardKeys;
    const fixed: LoaderConfigInput = { batchSize: 32, resolution: { kind: 'fixed', size: 224 }, cropScale: [0.35, 1], flip: true, windowGroups: 4, prefetch: 2 };
    const naflex: LoaderConfigInput = { batchSize: 32, resolution: { kind: 'naflex', patchSize: 16, seqLens: [256] }, windowGroups: 4, prefetch: 2 };
    const cases = [];
    for (const [name, cfg] of [['fixed-224', fixed], ['naflex-256', naflex]] as const) {
      const local = await inProcess(store, shards, cfg, batches);
      log(`${name} in-process ${JSON.stringify(local)}`);
      for (const pixels of ['float32', 'uint8'] as const) {
        const http = await overHttp(store, shards, cfg, pixels, batches);
        log(`${name} http ${JSON.stringify(http)}`);
        cases.push({ resolution: name, in_process: local, python_over_loopback: http, ratio_images_per_s: Number(((http.images_per_s as number) / local.images_per_s).toFixed(2)) });
      }
    }
    return { rows, batches, batch_size: 32, cores: os.availableParallelism(), cases, note: 'producer CPU = this process (loader, image threads, encoding, HTTP); consumer CPU = the Python process' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
