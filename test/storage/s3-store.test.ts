import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  ChecksumMismatchError,
  NotFoundError,
  openStore,
  StorageError,
  StoreAccessError,
} from '../../storage/index.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { minioStore } from './minio-store.js';
import { failingBody, listKeys, objectStoreContract } from './store-contract.js';

const MIB = 1024 * 1024;

describe('S3Store: the ObjectStore contract on a real MinIO', () => {
  let minio: MinioServer;
  before(async () => {
    minio = await startMinio();
  });
  after(async () => {
    await minio?.stop();
  });

  objectStoreContract(() => minioStore(minio));

  it('lists more than 1,000 keys across pages', async () => {
    const s = minioStore(minio);
    const keys = Array.from({ length: 1005 }, (_, i) => `many/k${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 32) {
      await Promise.all(keys.slice(i, i + 32).map((k) => s.put(k, new Uint8Array([1]))));
    }
    assert.deepEqual(await listKeys(s, 'many/'), keys);
    const small = minioStore(minio, { listPageSize: 7 }, s.rootUri.split('/').pop());
    assert.deepEqual(await listKeys(small, 'many/k0000'), keys.slice(0, 10));
  });

  it('multipart upload above the threshold round-trips; sha256 matches', async () => {
    const s = minioStore(minio, { multipartThreshold: 5 * MIB });
    const body = randomBytes(12 * MIB);
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let o = 0; o < body.length; o += MIB) yield body.subarray(o, o + MIB);
    }
    const res = await s.put('big.bin', chunks());
    assert.equal(res.size, body.length);
    assert.equal(res.sha256, createHash('sha256').update(body).digest('hex'));
    assert.deepEqual(Buffer.from(await s.get('big.bin')), body);
    assert.deepEqual(
      Buffer.from(await s.getRange('big.bin', 9 * MIB - 5, 10)),
      body.subarray(9 * MIB - 5, 9 * MIB + 5),
    );
  });

  it('an interrupted multipart upload leaves no object and no pending upload; a retry succeeds', async () => {
    const s = minioStore(minio, { multipartThreshold: 5 * MIB });
    const parts = Array.from({ length: 12 }, () => randomBytes(MIB));
    await assert.rejects(s.put('mp/obj.bin', failingBody(parts)));
    assert.equal(await s.head('mp/obj.bin'), null);
    assert.deepEqual(await listKeys(s, 'mp/'), []);
    const client = minio.client();
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: minio.bucket }));
    client.destroy();
    assert.equal((uploads.Uploads ?? []).filter((u) => u.Key?.endsWith('mp/obj.bin')).length, 0);
    await s.put(
      'mp/obj.bin',
      (async function* () {
        yield* parts;
      })(),
    );
    assert.equal((await s.head('mp/obj.bin'))?.size, 12 * MIB);
  });

  it('an upload cut off by the server going down leaves nothing visible; after restart a retry succeeds', async () => {
    const s = minioStore(minio, { multipartThreshold: 5 * MIB, maxAttempts: 2 });
    const parts = Array.from({ length: 12 }, () => randomBytes(MIB));
    async function* dying(): AsyncIterable<Uint8Array> {
      for (const [i, p] of parts.entries()) {
        if (i === 8) await minio.kill();
        yield p;
      }
    }
    await assert.rejects(s.put('down/obj.bin', dying()), StorageError);
    await minio.restart();
    assert.equal(await s.head('down/obj.bin'), null);
    assert.deepEqual(await listKeys(s, 'down/'), []);
    const res = await s.put(
      'down/obj.bin',
      (async function* () {
        yield* parts;
      })(),
    );
    assert.equal(res.size, 12 * MIB);
  });

  it('get verifies the recorded sha256 and reports a mismatch', async () => {
    const s = minioStore(minio);
    await s.put('v/obj.bin', randomBytes(100));
    // Tamper behind the store's back: same key, other bytes, the old sha256 metadata.
    const head = await s.head('v/obj.bin');
    const client = minio.client();
    const prefix = s.rootUri.slice(`s3://${minio.bucket}/`.length);
    await client.send(
      new PutObjectCommand({
        Bucket: minio.bucket,
        Key: `${prefix}/v/obj.bin`,
        Body: randomBytes(100),
        Metadata: { sha256: head?.sha256 ?? '' },
      }),
    );
    client.destroy();
    await assert.rejects(s.get('v/obj.bin'), (err: unknown) => {
      assert.ok(err instanceof ChecksumMismatchError);
      assert.match(err.message, /v\/obj\.bin: sha256 [0-9a-f]{64} differs from the recorded/);
      return true;
    });
  });

  it('wrong credentials: a clear access error that never contains the secret', async () => {
    const secret = `wrong-secret-${randomBytes(8).toString('hex')}`;
    const s = openStore(`s3://${minio.bucket}/x`, {
      s3: {
        endpoint: minio.endpoint,
        region: minio.region,
        credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: secret },
        maxAttempts: 1,
      },
    });
    for (const op of [
      () => s.get('a'),
      () => s.put('a', new Uint8Array(1)),
      () => listKeys(s, ''),
      () => s.head('a'),
    ]) {
      await assert.rejects(op(), (err: unknown) => {
        assert.ok(err instanceof StoreAccessError, String(err));
        assert.match(err.message, /access denied.*check the S3 credentials/);
        const everything = `${err.message} ${err.stack} ${inspect(err, { depth: 20, showHidden: true })}`;
        assert.ok(!everything.includes(secret), 'the secret leaked into the error');
        assert.ok(!everything.includes(minio.secretAccessKey));
        return true;
      });
    }
  });

  it('a missing bucket: a clear error naming the bucket', async () => {
    const s = openStore('s3://no-such-bucket-here/p', {
      s3: {
        endpoint: minio.endpoint,
        region: minio.region,
        credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
      },
    });
    await assert.rejects(s.put('a', new Uint8Array(1)), (err: unknown) => {
      assert.ok(err instanceof StoreAccessError, String(err));
      assert.match(err.message, /bucket "no-such-bucket-here" does not exist/);
      assert.ok(!err.message.includes(minio.secretAccessKey));
      return true;
    });
    await assert.rejects(listKeys(s, ''), /bucket "no-such-bucket-here" does not exist/);
    await assert.rejects(s.get('a'), (err: unknown) => err instanceof StoreAccessError || err instanceof NotFoundError);
  });
});
