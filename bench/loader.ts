// Loader benchmark: images/s (and per CPU-core-second) streaming a curated dataset of 640×480 JPEGs from local disk
// and from a real MinIO, fixed 224 with augmentation and NaFlex 256, with peak RSS; plus the share of wall time a
// tiny training run waits on data.
// Usage: npm run bench -- loader [rows] [batches]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { selectBackend } from '../model/backend.js';
import { imageAddonStatus } from '../native/image/index.js';
import { parseLoaderConfig, type LoaderConfigInput } from '../pipelines/loader/config.js';
import { StreamingLoader } from '../pipelines/loader/loader.js';
import { type ObjectStore, openStore, closeStore } from '../storage/index.js';
import { startMinio } from '../workflows/dev/minio.js';
import { writeEmojiDataset } from '../workflows/dev/emoji-dataset.js';
import { testRun, tinyRun } from '../workflows/dev/tiny-run.js';

interface Case {
  name: string;
  storage: 'local' | 'minio';
  resolution: string;
  augmentation: boolean;
  images_per_s: number;
  images_per_s_per_core: number;
  cpu_cores_used: number;
  peak_rss_mb: number;
}

const log = (msg: string): void => void process.stderr.write(`[loader bench] ${msg}\n`);

async function measure(name: string, store: ObjectStore, shards: string[], cfg: LoaderConfigInput, batches: number): Promise<Omit<Case, 'storage' | 'resolution' | 'augmentation'>> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => void (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const loader = await StreamingLoader.open({ store, shards, config: parseLoaderConfig(cfg), tokenize: (t) => new Int32Array(t.length * 64), seed: 1 });
  for (let i = 0; i < 2; i++) await loader.next(); // warm-up: first window read, sharp start-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let images = 0;
  for (let i = 0; i < batches; i++) images += (await loader.next()).ids.length;
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  await loader.close();
  clearInterval(timer);
  const r = {
    name,
    images_per_s: Math.round(images / secs),
    images_per_s_per_core: Math.round(images / cpuSecs),
    cpu_cores_used: Number((cpuSecs / secs).toFixed(2)),
    peak_rss_mb: Math.round(peak / 2 ** 20),
  };
  log(JSON.stringify(r));
  return r;
}

export default async function loaderBench(args: string[]): Promise<unknown> {
  const rows = Number(args[0] ?? 1024);
  const batches = Number(args[1] ?? 24);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-loader-bench-'));
  const minio = await startMinio();
  try {
    const local = openStore(pathToFileURL(dir).href);
    const s3 = openStore(`s3://${minio.bucket}/bench`, {
      s3: { endpoint: minio.endpoint, region: minio.region, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
    });
    const imagePath = imageAddonStatus();
    log(`native image addon ${imagePath.enabled ? 'on' : 'off'} (${imagePath.reason})`);
    log(`writing ${rows} rows of 640×480 JPEG to disk and MinIO (not timed)`);
    const opts = { rows, shards: 4, rowGroupRows: 128, side: 640 };
    const localShards = (await writeEmojiDataset(local, opts)).shardKeys;
    const s3Shards = (await writeEmojiDataset(s3, opts)).shardKeys;
    const fixed: LoaderConfigInput = { batchSize: 32, resolution: { kind: 'fixed', size: 224 }, cropScale: [0.35, 1], flip: true, windowGroups: 4, prefetch: 2 };
    const naflex: LoaderConfigInput = { batchSize: 32, resolution: { kind: 'naflex', patchSize: 16, seqLens: [256] }, windowGroups: 4, prefetch: 2 };
    const cases: Case[] = [];
    for (const [storage, store, shards] of [['local', local, localShards], ['minio', s3, s3Shards]] as const) {
      cases.push({ storage, resolution: 'fixed-224', augmentation: true, ...(await measure(`${storage} fixed 224 + aug`, store, [...shards], fixed, batches)) });
      cases.push({ storage, resolution: 'naflex-256', augmentation: false, ...(await measure(`${storage} naflex 256`, store, [...shards], naflex, batches)) });
    }
    closeStore(s3);
    // Stored side matters more than anything in the loader: a full JPEG decode dominates. Curated data kept at 320 px:
    const small320 = (await writeEmojiDataset(local, { ...opts, name: 'emoji-320', side: 320 })).shardKeys;
    cases.push({ storage: 'local', resolution: 'fixed-224 from 320x240', augmentation: true, ...(await measure('local fixed 224 + aug, 320 px source', local, small320, fixed, batches)) });

    log('tiny training run (wasm, tiny model, batch 8, 24 steps) to measure the data-wait share');
    const backend = await selectBackend('wasm');
    const small = (await writeEmojiDataset(local, { name: 'emoji-small', rows: 180, shards: 2, rowGroupRows: 16 })).shardKeys;
    const run = await testRun(local, small, tinyRun({ examples: 192, checkpointEvery: 1000, distill: false }), 'runs/bench');
    const t0 = performance.now();
    const stage = await run.stage('base');
    const trainSecs = (performance.now() - t0) / 1000;
    const main = cases[0]!;
    return {
      images_per_s: main.images_per_s,
      images_per_s_per_core: main.images_per_s_per_core,
      peak_rss_mb: Math.max(...cases.map((c) => c.peak_rss_mb)),
      cores: os.availableParallelism(),
      // Which image path ran for JPEG records: native/image (libjpeg-turbo) or sharp (SIGFORGE_NATIVE_IMAGE=0, not built).
      native_image: imageAddonStatus(),
      cases,
      training: {
        backend: backend.name,
        steps: stage.trainedSteps,
        seconds: Number(trainSecs.toFixed(1)),
        data_wait_share: Number(stage.dataWaitShare.toFixed(4)),
        final_loss: stage.loss,
      },
      note: 'images_per_s_per_core = images per CPU-second of this process (image threads included); per-core target 400 at 224',
    };
  } finally {
    await minio.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
