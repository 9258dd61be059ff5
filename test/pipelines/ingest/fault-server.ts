/**
 * A real loopback HTTP server for ingest tests: serves real emoji PNGs (npm-packaged art) and a menu of faults.
 * Listens on 127.0.0.1 only.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { repoRoot } from '../../../workflows/dev/tools.js';

const EMOJI_DIR = path.join(repoRoot, 'node_modules/emoji-datasource-google/img/google/64');

/** Names of emoji PNG files (sorted) usable as `/img/<name>`. */
export function emojiNames(limit = 50): string[] {
  return readdirSync(EMOJI_DIR)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .slice(0, limit);
}

/** Reads one emoji PNG's bytes. */
export function emojiBytes(name: string): Buffer {
  return readFileSync(path.join(EMOJI_DIR, path.basename(name)));
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A complete, valid 1-bit greyscale PNG of the given size (all black): a decompression bomb at 20,000². */
export function bombPng(side = 20_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((Math.ceil(side / 8) + 1) * side); // filter byte 0 + zero pixels per row
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** The running fault server. */
export interface FaultServer {
  base: string;
  /** Requests seen per path. */
  hits: Map<string, number>;
  /** User-Agent headers seen. */
  userAgents: Set<string>;
  /** Most requests per path prefix (first segment) that were in flight at once. */
  maxInFlight: Map<string, number>;
  /** While true, `/down/*` answers 503; set false to let the retry-failed pass succeed. */
  down: boolean;
  jpeg: Buffer;
  close(): Promise<void>;
}

/** Starts the fault server on 127.0.0.1 with a random port. */
export async function startFaultServer(): Promise<FaultServer> {
  const png = emojiBytes(emojiNames(1)[0]!);
  const jpeg = await sharp(png).flatten({ background: '#ffffff' }).resize(96, 96).jpeg({ quality: 90 }).toBuffer();
  const corrupt = Buffer.concat([jpeg.subarray(0, 200), Buffer.alloc(jpeg.length - 200, 0x5a)]);
  const bomb = bombPng();
  const big = Buffer.concat([png, Buffer.alloc(300_000, 1)]);
  const hits = new Map<string, number>();
  const userAgents = new Set<string>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const sockets = new Set<Socket>();
  const image = (res: ServerResponse, body: Buffer, type = 'image/png', extra: { [k: string]: string } = {}): void => {
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, ...extra });
    res.end(body);
  };
  const state = { down: true };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const n = (hits.get(p) ?? 0) + 1;
    hits.set(p, n);
    userAgents.add(req.headers['user-agent'] ?? '');
    const group = p.split('/')[1] ?? '';
    inFlight.set(group, (inFlight.get(group) ?? 0) + 1);
    maxInFlight.set(group, Math.max(maxInFlight.get(group) ?? 0, inFlight.get(group)!));
    res.on('close', () => inFlight.set(group, inFlight.get(group)! - 1));
    if (p.startsWith('/img/')) return image(res, emojiBytes(p.slice(5)));
    if (p === '/jpeg') return image(res, jpeg, 'image/jpeg');
    if (p.startsWith('/slowimg/')) {
      const t = setTimeout(() => image(res, emojiBytes(p.slice(9))), Number(url.searchParams.get('ms') ?? 100));
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (p === '/404') return void res.writeHead(404).end('not found');
    if (p.startsWith('/flaky/')) return n === 1 ? void res.writeHead(500).end('oops') : image(res, png);
    if (p.startsWith('/down/')) return state.down ? void res.writeHead(503).end('down') : image(res, png);
    if (p.startsWith('/429')) return n === 1 ? void res.writeHead(429, { 'retry-after': '1' }).end() : image(res, png);
    if (p === '/slow') {
      const t = setTimeout(() => image(res, png), 5_000);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (p === '/reset') return void req.socket.destroy();
    if (p === '/truncated') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
      res.write(png.subarray(0, png.length >> 1));
      return void setTimeout(() => req.socket.destroy(), 20);
    }
    if (p === '/wrong-type') return image(res, png, 'text/plain');
    if (p === '/html') return image(res, Buffer.from('<!DOCTYPE html><html><body>hi</body></html>'), 'image/jpeg');
    if (p === '/corrupt.jpg') return image(res, corrupt, 'image/jpeg');
    if (p === '/bomb.png') return image(res, bomb);
    if (p === '/loop/a') return void res.writeHead(302, { location: '/loop/b' }).end();
    if (p === '/loop/b') return void res.writeHead(302, { location: '/loop/a' }).end();
    if (p === '/redirect') return void res.writeHead(301, { location: url.searchParams.get('to') ?? '/' }).end();
    if (p === '/big') return image(res, big);
    if (p === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end(big);
    }
    if (p === '/noai') return image(res, png, 'image/png', { 'x-robots-tag': 'noai' });
    if (p === '/tiny') return void sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } }).png().toBuffer().then((b) => image(res, b));
    res.writeHead(404).end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    userAgents,
    maxInFlight,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    jpeg,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
