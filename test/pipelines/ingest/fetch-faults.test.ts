import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RowError } from '../../../pipelines/ingest/errors.js';
import { Fetcher, parseRetryAfter, robotsOptOut } from '../../../pipelines/ingest/fetcher.js';
import { ImageOptionsSchema } from '../../../pipelines/ingest/image.js';
import { createLanguageIdentifier, type LanguageIdentifier } from '../../../pipelines/ingest/lang.js';
import { buildRecord } from '../../../pipelines/ingest/record.js';
import { emojiNames, startFaultServer, type FaultServer } from './fault-server.js';

describe('fetch + decode against a loopback fault server', () => {
  let server: FaultServer;
  let fetcher: Fetcher;
  let lang: LanguageIdentifier;
  before(async () => {
    server = await startFaultServer();
    // The test server is on loopback, so the guard must be told to allow exactly it.
    fetcher = new Fetcher({ ssrfAllow: ['127.0.0.1/32'], timeoutMs: 400, retries: 2, backoffBaseMs: 5, maxBodyBytes: 200_000 });
    lang = await createLanguageIdentifier();
  });
  after(async () => {
    await fetcher.close();
    await server.close();
    lang.dispose();
  });

  const image = ImageOptionsSchema.parse({ size: 48, minSide: 16 });
  const expected: [string, string][] = [
    [`/img/${emojiNames(1)[0]}`, 'ok'],
    ['/jpeg', 'ok'],
    ['/404', 'http_error'],
    ['/flaky/1', 'ok'],
    ['/429', 'ok'],
    ['/slow', 'timeout'],
    ['/reset', 'network_error'],
    ['/truncated', 'truncated'],
    ['/wrong-type', 'ok'],
    ['/html', 'not_image'],
    ['/corrupt.jpg', 'decode_error'],
    ['/bomb.png', 'too_large'],
    ['/loop/a', 'redirect_loop'],
    ['/big', 'too_large'],
    ['/big-chunked', 'too_large'],
    ['/noai', 'opted_out'],
    ['/tiny', 'too_small'],
    ['/down/1', 'http_error'],
  ];
  for (const [p, status] of expected) {
    it(`${p} → ${status}`, async () => {
      const rec = await buildRecord(
        { index: 0, url: server.base + p, caption: 'a small yellow face', alt_captions: [] },
        { source: 'test', fetcher, image, lang, now: () => 1 },
      );
      assert.equal(rec.status, status, `error: ${rec.error}`);
      if (status === 'ok') {
        assert.ok(rec.image && rec.image.length > 100);
        assert.equal(rec.mime, 'image/jpeg');
        assert.ok(rec.width! <= 48 && rec.height! <= 48);
        assert.match(rec.sha256!, /^[0-9a-f]{64}$/);
        assert.equal(typeof rec.phash, 'bigint');
        assert.equal(rec.error, null);
      } else {
        assert.equal(rec.image, null);
        assert.ok(rec.error && rec.error.length > 0);
      }
    });
  }
  it('retried exactly the transient ones', () => {
    assert.equal(server.hits.get('/flaky/1'), 2);
    assert.equal(server.hits.get('/429'), 2);
    assert.equal(server.hits.get('/404'), 1);
    assert.equal(server.hits.get('/down/1'), 3);
    assert.equal(server.hits.get('/html'), 1);
  });
  it('names sigforge in its User-Agent', () => {
    assert.ok([...server.userAgents].every((ua) => /^sigforge\//.test(ua)), [...server.userAgents].join(' | '));
  });
  it('keeps per-host concurrency within its limit', async () => {
    const limited = new Fetcher({ ssrfAllow: ['127.0.0.1/32'], concurrency: 16, perHostConcurrency: 2 });
    const names = emojiNames(8);
    await Promise.all(names.map((n) => limited.fetch(`${server.base}/slowimg/${n}?ms=60`)));
    assert.equal(server.maxInFlight.get('slowimg'), 2);
    await limited.close();
  });
  it('gives up at once when Retry-After asks for longer than maxRetryAfterMs', async () => {
    const impatient = new Fetcher({ ssrfAllow: ['127.0.0.1/32'], maxRetryAfterMs: 100, retries: 3 });
    await assert.rejects(impatient.fetch(`${server.base}/429/b`), (e: unknown) => e instanceof RowError && e.retryable);
    assert.equal(server.hits.get('/429/b'), 1);
    await impatient.close();
  });
  it('rejects non-http URLs without any request', async () => {
    for (const url of ['ftp://127.0.0.1/x.png', 'not a url', 'file:///etc/passwd']) {
      await assert.rejects(fetcher.fetch(url), (e: unknown) => e instanceof RowError && e.status === 'invalid_input');
    }
  });
});

describe('SSRF guard (loopback addresses only)', () => {
  let server: FaultServer;
  before(async () => {
    server = await startFaultServer();
  });
  after(async () => server.close());

  it('refuses loopback targets in its default mode without connecting', async () => {
    const fetcher = new Fetcher({ retries: 0, timeoutMs: 2000 });
    const port = new URL(server.base).port;
    const before = [...server.hits.values()].reduce((a, b) => a + b, 0);
    for (const host of ['127.0.0.1', '127.0.0.2', '[::1]', 'localhost', '[::ffff:127.0.0.1]']) {
      await assert.rejects(
        fetcher.fetch(`http://${host}:${port}/jpeg`),
        (e: unknown) => e instanceof RowError && e.status === 'blocked_address' && /SSRF/.test(e.message),
        host,
      );
    }
    assert.equal([...server.hits.values()].reduce((a, b) => a + b, 0), before, 'no request reached the server');
    await fetcher.close();
  });

  it('refuses a redirect to a loopback address outside the allow-list', async () => {
    const fetcher = new Fetcher({ retries: 0, ssrfAllow: ['127.0.0.1/32'] });
    const port = new URL(server.base).port;
    for (const to of [`http://127.0.0.2:${port}/jpeg`, `http://[::1]:${port}/jpeg`]) {
      await assert.rejects(
        fetcher.fetch(`${server.base}/redirect?to=${encodeURIComponent(to)}`),
        (e: unknown) => e instanceof RowError && e.status === 'blocked_address',
      );
    }
    // A redirect within the allowed address is followed.
    const ok = await fetcher.fetch(`${server.base}/redirect?to=/jpeg`);
    assert.equal(ok.format, 'jpeg');
    await fetcher.close();
  });
});

describe('header parsing', () => {
  it('parses Retry-After seconds and dates', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
  it('finds X-Robots-Tag opt-outs, also behind a user-agent prefix', () => {
    assert.equal(robotsOptOut('noai'), 'noai');
    assert.equal(robotsOptOut(['index, follow', 'otherbot: noimageai']), 'noimageai');
    assert.equal(robotsOptOut('noindex'), 'noindex');
    assert.equal(robotsOptOut('nofollow'), null);
    assert.equal(robotsOptOut(undefined), null);
  });
});
