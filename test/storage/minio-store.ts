// Opens stores on a test MinIO server with its generated credentials.
import { randomBytes } from 'node:crypto';
import { openStore, type ObjectStore, type S3Options } from '../../storage/index.js';
import { type MinioServer } from '../../workflows/dev/minio.js';

/** A store under a fresh random prefix of the server's bucket. */
export function minioStore(minio: MinioServer, s3: Partial<S3Options> = {}, prefix?: string): ObjectStore {
  return openStore(`s3://${minio.bucket}/${prefix ?? `t-${randomBytes(4).toString('hex')}`}`, {
    s3: {
      endpoint: minio.endpoint,
      region: minio.region,
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
      maxAttempts: 2,
      ...s3,
    },
  });
}
