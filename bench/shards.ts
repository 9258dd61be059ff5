// Benchmark: write then read 5,000 records with ~20 KB JPEGs (made with sharp) as one shard, on local disk and on
// MinIO, each store in its own child process so peak RSS is per store; pyarrow on the same table when installed.
// Output (last line): {"local": {write_mb_s, read_mb_s, meta_only_read_ms, peak_rss_mb, …}, "s3": {…}, "pyarrow": {…} | null}
// MB = 1e6 bytes of the shard file. Usage: npm run bench -- shards [--rows N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import {
  closeStore,
  openStore,
  RECORD_COLUMNS,
  type DataRecord,
  type RecordColumn,
  readShard,
  writeShard,
} from '../storage/index.js';
import { startMinio } from '../workflows/dev/minio.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const SHARD = 'bench/shards/part-00000.parquet';

interface PhaseResult {
  /** Median of three full-shard writes in one process. */
  write_mb_s: number;
  /** The first of them. */
  first_write_mb_s: number;
  read_mb_s: number;
  meta_only_read_ms: number;
  peak_rss_mb: number;
  shard_bytes: number;
  rows: number;
  row_groups: number;
}

/** Makes `n` distinct ~20 KB JPEGs (224×224, q82) and stores them as one blob plus offsets. */
async function makeImages(n: number, dir: string): Promise<void> {
  const blobs: Buffer[] = [];
  const w = 224;
  for (let start = 0; start < n; start += 16) {
    const batch = Array.from({ length: Math.min(16, n - start) }, (_, j) => {
      const seed = start + j + 1;
      const px = Buffer.alloc(w * w * 3);
      let s = seed;
      for (let i = 0; i < px.length; i++) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        const x = (i / 3) % w;
        const y = Math.floor(i / 3 / w);
        px[i] = ((x * (3 + (seed % 5)) + y * 2 + (i % 3) * seed) & 255) ^ ((s >> 16) & 63);
      }
      return sharp(px, { raw: { width: w, height: w, channels: 3 } })
        .jpeg({ quality: 82 })
        .toBuffer();
    });
    blobs.push(...(await Promise.all(batch)));
    if (start % 1000 === 0) process.stderr.write(`shards bench: ${start}/${n} images\n`);
  }
  writeFileSync(path.join(dir, 'images.bin'), Buffer.concat(blobs));
  writeFileSync(path.join(dir, 'sizes.json'), JSON.stringify(blobs.map((b) => b.length)));
}

/** Lazily builds the benchmark records over the image blob. */
function* records(blob: Buffer, sizes: number[]): Iterable<DataRecord> {
  let offset = 0;
  const langs = ['en', 'de', 'ja', 'zh', 'es'];
  for (const [i, size] of sizes.entries()) {
    const image = blob.subarray(offset, offset + size);
    offset += size;
    yield {
      id: `bench-${i}`,
      source: 'bench',
      url: `http://127.0.0.1/images/${i}.jpg`,
      caption: `a synthetic test pattern number ${i} with some words in its caption`,
      alt_captions: [],
      lang: langs[i % langs.length] ?? null,
      lang_score: 0.9,
      image,
      mime: 'image/jpeg',
      width: 224,
      height: 224,
      orig_width: 640,
      orig_height: 480,
      sha256: 'f'.repeat(64),
      phash: (BigInt(i) * 0x9e3779b97f4a7c15n) & ((1n << 64n) - 1n),
      status: 'ok',
      error: null,
      fetched_at: 1_700_000_000_000 + i,
      boxes: null,
      attrs: null,
      weight: 1,
    };
  }
}

/** One store's phase, run in a child process: write, full read, metadata-only read. */
async function phase(rootUri: string, dataDir: string): Promise<PhaseResult> {
  const blob = readFileSync(path.join(dataDir, 'images.bin'));
  const sizes = JSON.parse(readFileSync(path.join(dataDir, 'sizes.json'), 'utf8')) as number[];
  const s3 = rootUri.startsWith('s3://')
    ? {
        s3: {
          endpoint: process.env.BENCH_S3_ENDPOINT ?? '',
          credentials: {
            accessKeyId: process.env.BENCH_S3_KEY ?? '',
            secretAccessKey: process.env.BENCH_S3_SECRET ?? '',
          },
        },
      }
    : {};
  const store = openStore(rootUri, s3);
  // Warm up (JIT, connections) on a small untimed shard: we measure steady-state throughput, as in a pipeline
  // that writes many shards per process.
  const warm = sizes.slice(0, 300);
  await writeShard(store, 'bench/warmup.parquet', records(blob, warm));
  for await (const batch of readShard(store, 'bench/warmup.parquet')) void batch;
  // Three timed writes of the full shard (the same key, overwritten atomically): `write_mb_s` is their median —
  // the steady state of a worker writing shard after shard; `first_write_mb_s` is the first (cold JIT and
  // allocator), reported too so nobody mistakes one for the other.
  const writeTimes: number[] = [];
  let info: Awaited<ReturnType<typeof writeShard>> | undefined;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    info = await writeShard(store, SHARD, records(blob, sizes));
    writeTimes.push((performance.now() - t0) / 1000);
  }
  const firstWriteS = writeTimes[0]!;
  const writeS = [...writeTimes].sort((a, b) => a - b)[1]!;
  const mb = info!.bytes / 1e6;

  let t = performance.now();
  let rows = 0;
  let groups = 0;
  let imageBytes = 0;
  for await (const batch of readShard(store, SHARD)) {
    rows += batch.length;
    groups++;
    for (const r of batch) imageBytes += r.image?.byteLength ?? 0;
  }
  const readS = (performance.now() - t) / 1000;
  if (rows !== sizes.length || imageBytes !== blob.length)
    throw new Error(`read back ${rows} rows, ${imageBytes} image bytes`);

  const metaColumns = RECORD_COLUMNS.filter((c): c is Exclude<RecordColumn, 'image'> => c !== 'image');
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const fresh = openStore(rootUri, s3); // cold open: footer read included
    t = performance.now();
    let n = 0;
    for await (const batch of readShard(fresh, SHARD, { columns: metaColumns })) n += batch.length;
    times.push(performance.now() - t);
    if (n !== sizes.length) throw new Error(`metadata read saw ${n} rows`);
    closeStore(fresh);
  }
  times.sort((a, b) => a - b);
  closeStore(store);
  return {
    write_mb_s: round(mb / writeS),
    first_write_mb_s: round(mb / firstWriteS),
    read_mb_s: round(mb / readS),
    meta_only_read_ms: round(times[Math.floor(times.length / 2)] ?? 0),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    shard_bytes: info!.bytes,
    rows,
    row_groups: groups,
  };
}

const round = (x: number): number => Math.round(x * 10) / 10;

function runPhase(rootUri: string, dataDir: string, env: NodeJS.ProcessEnv = {}): PhaseResult {
  process.stderr.write(`shards bench: ${rootUri}\n`);
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--phase', rootUri, dataDir],
    {
      cwd: repo,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (res.status !== 0) throw new Error(`phase ${rootUri} failed with status ${res.status}`);
  const last = res.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as PhaseResult;
}

function pyarrowPhase(shardPath: string, scratch: string): { [k: string]: number | string } | null {
  const res = spawnSync('python3', [path.join(repo, 'scripts/reference/pyarrow_bench.py'), shardPath, scratch], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (res.status !== 0) {
    process.stderr.write(
      `shards bench: pyarrow not run (${(res.stderr || String(res.error)).trim().split('\n').pop()})\n`,
    );
    return null;
  }
  return JSON.parse(res.stdout.trim().split('\n').pop() ?? 'null') as { [k: string]: number | string };
}

/** Runs the benchmark; returns {local, s3, pyarrow}. */
export default async function bench(args: string[]): Promise<unknown> {
  const rowsArg = args.indexOf('--rows');
  const n = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 5000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-bench-shards-'));
  const minio = await startMinio();
  try {
    await makeImages(n, dir);
    const local = runPhase(pathToFileURL(path.join(dir, 'local')).href, dir);
    const s3 = runPhase(`s3://${minio.bucket}/bench`, dir, {
      BENCH_S3_ENDPOINT: minio.endpoint,
      BENCH_S3_KEY: minio.accessKeyId,
      BENCH_S3_SECRET: minio.secretAccessKey,
    });
    const py = pyarrowPhase(path.join(dir, 'local', SHARD), dir);
    const pyarrow =
      py === null
        ? null
        : {
            ...py,
            ratio_write: round(local.write_mb_s / Number(py.write_mb_s)),
            ratio_read: round(local.read_mb_s / Number(py.read_mb_s)),
            ratio_meta_only_read: round(local.meta_only_read_ms / Number(py.meta_only_read_ms)),
          };
    return { local, s3, pyarrow };
  } finally {
    await minio.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--phase') {
  const [rootUri, dataDir] = process.argv.slice(3);
  if (!rootUri || !dataDir) throw new Error('usage: shards.ts --phase <rootUri> <dataDir>');
  console.log(JSON.stringify(await phase(rootUri, dataDir)));
}
