// Issue 17 defects 16 and 19: Content-Encoding is decoded with the byte cap on the decoded size, and empty or
// truncated bodies get statuses of their own. A loopback server per file; real undici, real zlib.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { isRetryableStatus } from '../../../pipelines/ingest/errors.js';
import { Fetcher } from '../../../pipelines/ingest/fetcher.js';
import { RowError } from '../../../pipelines/ingest/errors.js';
import { emojiBytes, emojiNames } from './fault-server.js';

describe('response bodies (defects 16, 19)', () => {
  let server: Server;
  let base: string;
  let fetcher: Fetcher;
  const png = emojiBytes(emojiNames(1)[0]!);
  // 64 MiB of zeros compress to about 64 KiB: far over the 1 MiB cap once inflated.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  before(async () => {
    server = createServer((req, res) => {
      const send = (body: Buffer, headers: { [k: string]: string | number } = {}): void => {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length, ...headers });
        res.end(body);
      };
      if (req.url === '/gzip') return send(gzipSync(png), { 'content-encoding': 'gzip' });
      if (req.url === '/deflate') return send(deflateSync(png), { 'content-encoding': 'deflate' });
      if (req.url === '/br') return send(brotliCompressSync(png), { 'content-encoding': 'br' });
      if (req.url === '/bomb') return send(bomb, { 'content-encoding': 'gzip' });
      if (req.url === '/zstd') return send(png, { 'content-encoding': 'zstd' });
      if (req.url === '/bad-gzip') return send(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
      if (req.url === '/empty') return send(Buffer.alloc(0));
      if (req.url === '/truncated') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.write(png.subarray(0, png.length >> 1));
        return void setTimeout(() => req.socket.destroy(), 20);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fetcher = new Fetcher({ ssrfAllow: ['127.0.0.1/32'], retries: 0, maxBodyBytes: 1024 * 1024 });
  });
  after(async () => {
    await fetcher.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const status = async (p: string): Promise<string> => {
    try {
      const r = await fetcher.fetch(base + p);
      assert.deepEqual(Buffer.from(r.bytes), png, `${p}: decoded bytes`);
      return 'ok';
    } catch (err) {
      assert.ok(err instanceof RowError, String(err));
      return err.status;
    }
  };

  for (const coding of ['gzip', 'deflate', 'br']) {
    it(`decodes Content-Encoding: ${coding}`, async () => assert.equal(await status(`/${coding}`), 'ok'));
  }
  it('stops a gzip bomb at the cap on the decoded size', async () => {
    const before = process.memoryUsage().arrayBuffers;
    assert.equal(await status('/bomb'), 'too_large');
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'never inflated the whole bomb');
  });
  it('an unknown coding or a body that does not decode is a row error', async () => {
    assert.equal(await status('/zstd'), 'not_image');
    assert.equal(await status('/bad-gzip'), 'decode_error');
  });
  it('a zero-byte 200 is `empty`, a body short of its Content-Length `truncated` (retryable)', async () => {
    assert.equal(await status('/empty'), 'empty');
    assert.equal(await status('/truncated'), 'truncated');
    assert.equal(isRetryableStatus('truncated', null), true);
    assert.equal(isRetryableStatus('empty', null), false);
  });
});
