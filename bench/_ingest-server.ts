// Child process of bench/ingest.ts: generates N photo-like 640×480 JPEGs once (cached under
// .cache/bench-ingest/), then serves them on 127.0.0.1 and prints `port <n>` on stdout.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { randomBytes } from '../pipelines/random.js';
import { repoRoot } from '../workflows/dev/tools.js';

const count = Number(process.argv[2] ?? 5000);
const dir = path.join(repoRoot, '.cache', 'bench-ingest', 'jpeg-640x480');
mkdirSync(dir, { recursive: true });

const name = (i: number): string => `${String(i).padStart(6, '0')}.jpg`;
const have = new Set(readdirSync(dir));
const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(name(i)));
if (missing.length) {
  process.stderr.write(`generating ${missing.length} photo-like JPEGs in ${dir}\n`);
  // Fine grain shared by all images; each image gets its own smooth colour field (upsampled noise).
  const grain = await sharp(randomBytes(640 * 480, 7), { raw: { width: 640, height: 480, channels: 1 } }).blur(0.6).raw().toBuffer();
  const grainPng = await sharp(grain, { raw: { width: 640, height: 480, channels: 1 } }).toColourspace('srgb').png().toBuffer();
  let done = 0;
  const work = async (i: number): Promise<void> => {
    const field = randomBytes(16 * 12 * 3, 1000 + i);
    const img = await sharp(field, { raw: { width: 16, height: 12, channels: 3 } })
      .resize(640, 480, { kernel: 'cubic' })
      .composite([{ input: grainPng, blend: 'soft-light' }])
      .jpeg({ quality: 88 })
      .toBuffer();
    writeFileSync(path.join(dir, name(i)), img);
    if (++done % 500 === 0) process.stderr.write(`  ${done}/${missing.length}\n`);
  };
  for (let k = 0; k < missing.length; k += 8) await Promise.all(missing.slice(k, k + 8).map(work));
}

const files = Array.from({ length: count }, (_, i) => readFileSync(path.join(dir, name(i))));
const server = createServer((req, res) => {
  const m = /^\/img\/(\d+)\.jpg$/.exec(req.url ?? '');
  const body = m ? files[Number(m[1])] : undefined;
  if (!body) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as AddressInfo).port} bytes ${files.reduce((a, b) => a + b.length, 0)}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
