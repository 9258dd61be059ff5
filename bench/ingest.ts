// `npm run bench -- ingest [--count N] [--img2dataset <path>|--no-img2dataset]`: a loopback server (child
// process) serves N photo-like 640×480 JPEGs; sigforge ingests them (keep-aspect, max side 256, JPEG q90) through
// the partition pipeline the ingest activity runs; then img2dataset downloads the same URL list with equivalent
// settings. Prints one JSON object last (see the output contract).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../storage/index.js';
import { imageAddonStatus } from '../native/image/index.js';
import { createLanguageIdentifier } from '../pipelines/ingest/lang.js';
import { runPartition } from '../workflows/ingest/partition.js';
import { type IngestPlan } from '../workflows/ingest/shared.js';
import { repoRoot } from '../workflows/dev/tools.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function startServer(count: number): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '_ingest-server.ts'), String(count)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /port (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

function findImg2dataset(args: string[]): string | null {
  const given = flag(args, '--img2dataset') ?? process.env.IMG2DATASET;
  if (given) return given;
  const venv = path.join(repoRoot, '.venv/bin/img2dataset');
  if (existsSync(venv)) return venv;
  const which = spawnSync('sh', ['-c', 'command -v img2dataset'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

/** Runs img2dataset on the URL list; returns its figures or the reason it could not run. */
function runImg2dataset(bin: string, urls: string, out: string, cores: number): { [k: string]: unknown } {
  const settings = {
    resize_mode: 'keep_ratio_largest',
    image_size: 256,
    encode_format: 'jpg',
    encode_quality: 90,
    processes_count: cores,
    thread_count: 32,
    output_format: 'files',
  };
  const argv = [
    '--url_list', urls, '--input_format', 'txt', '--output_folder', out,
    '--processes_count', String(cores), '--thread_count', '32', '--image_size', '256',
    '--resize_mode', settings.resize_mode, '--encode_format', 'jpg', '--encode_quality', '90',
    '--output_format', 'files', '--retries', '0', '--timeout', '10', '--number_sample_per_shard', '1000',
    '--disallowed_header_directives', '[]',
  ];
  const t0 = performance.now();
  // bash's `times` reports the CPU time of img2dataset and all its worker processes.
  const r = spawnSync('bash', ['-c', '"$0" "$@" >/dev/null 2>/tmp/sigforge-bench-i2d.err; rc=$?; times >&2; exit $rc', bin, ...argv], {
    encoding: 'utf8',
    env: { ...process.env, WANDB_MODE: 'disabled' },
    maxBuffer: 64 << 20,
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) return { error: `exit ${r.status}: ${(r.stderr ?? '').slice(-600)}` };
  const toS = (m: string, s: string): number => Number(m) * 60 + Number(s);
  const t = [...(r.stderr ?? '').matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].pop();
  const cpuS = t ? toS(t[1]!, t[2]!) + toS(t[3]!, t[4]!) : null;
  let successes = 0;
  let total = 0;
  for (const f of readdirSync(out).filter((f) => f.endsWith('_stats.json'))) {
    const s = JSON.parse(readFileSync(path.join(out, f), 'utf8')) as { successes: number; count: number };
    successes += s.successes;
    total += s.count;
  }
  const ips = successes / wall;
  return {
    images_per_s: ips,
    images_per_s_per_core: ips / cores,
    success_rate: total ? successes / total : 0,
    wall_s: wall,
    cpu_s: cpuS,
    images_per_cpu_s: cpuS ? successes / cpuS : null,
    settings,
  };
}

/** The benchmark. */
export default async function (args: string[]): Promise<unknown> {
  const count = Number(flag(args, '--count') ?? 5000);
  const cores = availableParallelism();
  const work = mkdtempSync(path.join(tmpdir(), 'sigforge-bench-ingest-'));
  const { child, base } = await startServer(count);
  try {
    const csv = path.join(work, 'urls.csv');
    const urls = Array.from({ length: count }, (_, i) => `${base}/img/${String(i).padStart(6, '0')}.jpg`);
    writeFileSync(csv, 'url,caption\n' + urls.map((u, i) => `${u},a photo number ${i}`).join('\n') + '\n');
    writeFileSync(path.join(work, 'urls.txt'), urls.join('\n') + '\n');

    const store = openStore(`file://${work}/store`);
    const lang = await createLanguageIdentifier();
    const plan: IngestPlan = {
      name: 'bench',
      version: 'v1',
      source: `file://${csv}`,
      format: 'csv',
      sourceOptions: {},
      fetch: { concurrency: 32, perHostConcurrency: 32 },
      image: { resizeMode: 'keep-aspect', size: 256, format: 'jpeg', quality: 90 },
      partitionRows: count,
      chunkRows: 1000,
      totalRows: count,
      partitions: 1,
      configHash: 'bench',
      retryOf: null,
      committed: false,
    };
    const imagePath = imageAddonStatus();
    process.stderr.write(`sigforge: ingesting ${count} images from ${base} (native image addon ${imagePath.enabled ? 'on' : 'off'}: ${imagePath.reason})\n`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await runPartition(plan, 0, {
      store,
      lang,
      ssrfAllow: ['127.0.0.1/32'],
      heartbeat: (d) => process.stderr.write(`  ${d.rowsDone}/${count}\n`),
    });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    lang.dispose();
    const ips = result.ok / wall;

    let img2dataset: { [k: string]: unknown } | null = null;
    let reason: string | null = null;
    const bin = args.includes('--no-img2dataset') ? null : findImg2dataset(args);
    if (!bin) reason = args.includes('--no-img2dataset') ? 'skipped (--no-img2dataset)' : 'img2dataset not installed (pip install img2dataset, or pass --img2dataset <path>)';
    else {
      process.stderr.write(`img2dataset: ${bin}\n`);
      const r = runImg2dataset(bin, path.join(work, 'urls.txt'), path.join(work, 'i2d'), cores);
      if ('error' in r) reason = String(r.error);
      else img2dataset = r;
    }
    const theirs = img2dataset ? (img2dataset.images_per_s_per_core as number) : null;
    const theirsCpu = img2dataset ? (img2dataset.images_per_cpu_s as number | null) : null;
    const cpuS = (cpu.user + cpu.system) / 1e6;
    return {
      images: count,
      cores,
      wall_s: wall,
      cpu_s: cpuS,
      images_per_cpu_s: result.ok / cpuS,
      images_per_s: ips,
      images_per_s_per_core: ips / cores,
      success_rate: result.ok / result.rows,
      peak_rss_mb: Math.round(peakRssMb),
      settings: { resizeMode: 'keep-aspect', size: 256, format: 'jpeg', quality: 90 },
      // Which image path ran: the libjpeg-turbo fast path (native/image) or sharp (SIGFORGE_NATIVE_IMAGE=0, not built).
      native_image: imagePath,
      img2dataset: img2dataset ?? null,
      img2dataset_reason: reason,
      ratio_vs_img2dataset: theirs ? ips / cores / theirs : null,
      // On a shared machine wall-clock rates depend on the neighbours' load; CPU seconds per image do not.
      ratio_vs_img2dataset_cpu: theirsCpu ? result.ok / cpuS / theirsCpu : null,
    };
  } finally {
    child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}
