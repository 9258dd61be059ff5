// Issue 17 defect 6: objects uploaded in parts carry the sha256 that get() verifies, like single-PUT objects.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChecksumMismatchError } from '../../storage/index.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { minioStore } from './minio-store.js';

const MIB = 1024 * 1024;

describe('S3 checksums for every size (defect 6)', () => {
  let minio: MinioServer;
  before(async () => {
    minio = await startMinio();
  });
  after(async () => {
    await minio?.stop();
  });

  it('a multipart upload records its sha256, and get() then catches a changed object', async () => {
    const s = minioStore(minio, { multipartThreshold: 5 * MIB });
    const body = randomBytes(6 * MIB);
    const res = await s.put('mp.bin', body);
    assert.equal(res.sha256, createHash('sha256').update(body).digest('hex'));
    assert.equal((await s.head('mp.bin'))?.sha256, res.sha256, 'the recorded sha256 is the body’s');
    assert.deepEqual(Buffer.from(await s.get('mp.bin')), body);
    // Rewrite the bytes behind the store's back, keeping its metadata: get() must refuse them.
    const prefix = s.rootUri.slice(`s3://${minio.bucket}/`.length);
    const raw = new S3Client({
      endpoint: minio.endpoint,
      region: minio.region,
      forcePathStyle: true,
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    });
    try {
      const tampered = Buffer.from(body);
      tampered[123] = tampered[123]! ^ 0xff;
      await raw.send(new PutObjectCommand({ Bucket: minio.bucket, Key: `${prefix}/mp.bin`, Body: tampered, Metadata: { sha256: res.sha256 } }));
    } finally {
      raw.destroy();
    }
    await assert.rejects(s.get('mp.bin'), ChecksumMismatchError);
  });
});
