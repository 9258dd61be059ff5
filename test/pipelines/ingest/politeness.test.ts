// Issue 17 defect 15: politeness under 429. The global slot is not held through a Retry-After sleep, a 429 pauses
// its whole host, fractional Retry-After values are seconds, and buffered bodies share one byte budget.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Fetcher, parseRetryAfter } from '../../../pipelines/ingest/fetcher.js';
import { ByteBudget } from '../../../pipelines/ingest/limiter.js';
import { emojiBytes, emojiNames } from './fault-server.js';

describe('politeness under 429 (defect 15)', () => {
  let server: Server;
  let other: Server;
  let port: number;
  let otherPort: number;
  const png = emojiBytes(emojiNames(1)[0]!);
  const seen: { path: string; at: number }[] = [];
  const hits = new Map<string, number>();
  before(async () => {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const p = req.url ?? '/';
      seen.push({ path: p, at: Date.now() });
      const n = (hits.get(p) ?? 0) + 1;
      hits.set(p, n);
      if (p.startsWith('/once429') && n === 1) return void res.writeHead(429, { 'retry-after': '1' }).end();
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
    };
    // Two ports: two hosts as the fetcher counts them (host:port), both on loopback.
    server = createServer(handler);
    other = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    otherPort = (other.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => other.close(() => r()));
  });

  it('another host is served while a 429 waits out its Retry-After (the global slot is free meanwhile)', async () => {
    const fetcher = new Fetcher({ ssrfAllow: ['127.0.0.1/32'], concurrency: 1, retries: 1 });
    try {
      const done: string[] = [];
      const slow = fetcher.fetch(`http://127.0.0.1:${port}/once429-a`).then(() => done.push('429 host'));
      while (!hits.has('/once429-a')) await new Promise((r) => setTimeout(r, 5));
      // Another host: its own per-host limits, the same global slot.
      const elsewhere = fetcher.fetch(`http://127.0.0.1:${otherPort}/img-b`).then(() => done.push('other host'));
      await Promise.all([slow, elsewhere]);
      assert.deepEqual(done, ['other host', '429 host']);
    } finally {
      await fetcher.close();
    }
  });

  it("a 429 pauses the host's other requests for its Retry-After", async () => {
    const fetcher = new Fetcher({ ssrfAllow: ['127.0.0.1/32'], perHostConcurrency: 4, retries: 1 });
    try {
      const first = fetcher.fetch(`http://127.0.0.1:${port}/once429-c`);
      while (!hits.has('/once429-c')) await new Promise((r) => setTimeout(r, 5));
      const limited = seen.find((s) => s.path === '/once429-c')!.at;
      // Give the client time to read the 429 (the server logs the request before the client sees the answer).
      await new Promise((r) => setTimeout(r, 200));
      await Promise.all([first, fetcher.fetch(`http://127.0.0.1:${port}/img-d`)]);
      const next = seen.find((s) => s.path === '/img-d')!.at;
      // A lower bound only (a sleep never ends early): without the pause it comes at about 200 ms.
      assert.ok(next - limited >= 700, `the host's next request came ${next - limited} ms after its 429 (Retry-After: 1)`);
    } finally {
      await fetcher.close();
    }
  });

  it('Retry-After with a fraction is seconds, not a date', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter(' 2 ', now), 2000);
    assert.equal(parseRetryAfter('1.5.3', now), undefined);
    assert.equal(parseRetryAfter('-1', now), undefined);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
  });

  it('bodies share one byte budget: a reservation waits until earlier ones are released', async () => {
    const budget = new ByteBudget(100);
    const a = await budget.reserve(60);
    let second = false;
    const b = budget.reserve(60).then((release) => ((second = true), release));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(second, false, 'over budget: waits');
    assert.equal(budget.reserved, 60);
    a();
    (await b)();
    assert.equal(budget.reserved, 0);
    // One reservation larger than the whole budget still proceeds alone.
    const big = await budget.reserve(500);
    assert.equal(budget.reserved, 100);
    big();
    assert.throws(() => new Fetcher({ maxBufferedBytes: 0 }));
  });
});
