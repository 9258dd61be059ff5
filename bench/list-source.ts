// List-source benchmark: a large CSV URL list (quoted captions, some with newlines) planned (counted once,
// learning split points) and one partition read from its split point, with peak RSS of this process.
// Usage: npm run bench -- list-source [--mb 2048] [--partition-rows 10000]
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localSourceIO } from '../pipelines/ingest/sources/io.js';
import { openSource } from '../pipelines/ingest/sources/registry.js';
import { type SourceIO } from '../pipelines/ingest/sources/types.js';

const arg = (args: string[], name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};

async function writeList(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  out.write('url,caption,license\n');
  let written = 0;
  let rows = 0;
  while (written < bytes) {
    let chunk = '';
    for (let j = 0; j < 10_000; j++, rows++) {
      const cap =
        rows % 13 === 0
          ? `"a ""quoted"" caption,\nover two lines ${rows}"`
          : `a photo of thing number ${rows} on a table`;
      chunk += `https://images.example.com/${rows % 997}/${rows}.jpg,${cap},cc-by-4.0\n`;
    }
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return rows;
}

export default async function listSourceBench(args: string[]): Promise<unknown> {
  const mb = arg(args, 'mb', 2048);
  const partitionRows = arg(args, 'partition-rows', 10_000);
  const log = (msg: string): void => void process.stderr.write(`[list-source] ${msg}\n`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-list-bench-'));
  const file = path.join(dir, 'list.csv');
  try {
    const rowsWritten = await writeList(file, mb * 1048576);
    const size = statSync(file).size;
    log(`wrote ${rowsWritten} rows, ${(size / 1048576).toFixed(0)} MiB (not timed)`);
    let peakRss = process.memoryUsage().rss;
    const sample = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
    const timer = setInterval(sample, 50);
    const t0 = performance.now();
    const src = await openSource(file, undefined, { extraColumns: ['license'] });
    const total = await src.count();
    const splits = await src.fileRows!();
    const tPlan = performance.now();
    let bytesRead = 0;
    const io: SourceIO = {
      ...localSourceIO,
      readRange: async (p, o, l) => {
        const b = await localSourceIO.readRange(p, o, l);
        bytesRead += b.length;
        return b;
      },
    };
    const part = await openSource(file, undefined, { extraColumns: ['license'] }, io, { fileRows: splits });
    const start = Math.floor(total / 2 / partitionRows) * partitionRows;
    let got = 0;
    for await (const r of part.rows(start, start + partitionRows)) if (r.url) got++;
    const tPart = performance.now();
    sample();
    clearInterval(timer);
    if (total !== rowsWritten || got !== partitionRows) throw new Error(`counted ${total}/${rowsWritten}, read ${got}`);
    return {
      file_mb: Math.round(size / 1048576),
      rows: total,
      split_points: splits.length,
      plan_seconds: Math.round((tPlan - t0) / 10) / 100,
      plan_mb_per_s: Math.round(size / 1048576 / ((tPlan - t0) / 1000)),
      partition_rows: partitionRows,
      partition_seconds: Math.round((tPart - tPlan) / 10) / 100,
      partition_bytes_read: bytesRead,
      load_average_1m: Math.round(os.loadavg()[0]! * 100) / 100,
      peak_rss_mb: Math.round(peakRss / 1048576),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
