// Throttling and transient failures: a loopback proxy in front of MinIO answers the first requests with
// 503 SlowDown (or drops the connection); the store retries with backoff and succeeds. Also: credentials
// from the environment (the standard AWS chain's first link).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../storage/index.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';

interface FlakyProxy {
  endpoint: string;
  /** Requests answered with a failure so far. */
  failures: number;
  /** Make the next `n` requests fail, as `kind`. */
  failNext(n: number, kind: 'slowdown' | 'reset'): void;
  close(): Promise<void>;
}

async function flakyProxy(target: string): Promise<FlakyProxy> {
  const to = new URL(target);
  let pending = 0;
  let kind: 'slowdown' | 'reset' = 'slowdown';
  const proxy: FlakyProxy = {
    endpoint: '',
    failures: 0,
    failNext(n, k) {
      pending = n;
      kind = k;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = http.createServer((req, res) => {
    if (pending > 0) {
      pending--;
      proxy.failures++;
      req.resume();
      if (kind === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    const up = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

describe('S3Store retries', () => {
  let minio: MinioServer;
  let proxy: FlakyProxy;
  before(async () => {
    minio = await startMinio();
    proxy = await flakyProxy(minio.endpoint);
  });
  after(async () => {
    await proxy?.close();
    await minio?.stop();
  });

  const store = (maxAttempts: number) =>
    openStore(`s3://${minio.bucket}/retry`, {
      s3: {
        endpoint: proxy.endpoint,
        region: minio.region,
        credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
        maxAttempts,
      },
    });

  it('retries 503 SlowDown with backoff and succeeds', async () => {
    const s = store(5);
    const body = randomBytes(1000);
    proxy.failNext(2, 'slowdown');
    await s.put('a.bin', body);
    proxy.failNext(2, 'slowdown');
    assert.deepEqual(Buffer.from(await s.get('a.bin')), body);
    assert.equal(proxy.failures, 4);
  });

  it('retries dropped connections and succeeds', async () => {
    const s = store(5);
    const before = proxy.failures;
    proxy.failNext(2, 'reset');
    assert.equal((await s.head('a.bin'))?.size, 1000);
    assert.equal(proxy.failures - before, 2);
  });

  it('gives up after maxAttempts with a retryable error naming the object', async () => {
    const s = store(2);
    proxy.failNext(2, 'slowdown');
    await assert.rejects(s.get('a.bin'), (err: unknown) => {
      assert.match(String(err), /get s3:\/\/sigforge-test\/retry\/a\.bin: SlowDown \(HTTP 503\) after retries/);
      assert.equal((err as { retryable?: boolean }).retryable, true);
      return true;
    });
  });

  it('takes credentials from the environment when none are configured', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = minio.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = minio.secretAccessKey;
    try {
      const s = openStore(`s3://${minio.bucket}/env`, { s3: { endpoint: minio.endpoint, region: minio.region } });
      await s.put('e.txt', new TextEncoder().encode('from env'));
      assert.equal(new TextDecoder().decode(await s.get('e.txt')), 'from env');
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
