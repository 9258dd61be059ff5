import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ChecksumMismatchError, NotFoundError, StorageError } from './errors.js';
import { validateKey, validatePrefix } from './keys.js';
import { checkRange } from './local-store.js';
import {
  chunksOf,
  type PutBody,
  type ListEntry,
  type ObjectInfo,
  type ObjectStore,
  type PutResult,
  type S3Options,
} from './object-store.js';
import { mapS3Error } from './s3-errors.js';

const MIB = 1024 * 1024;
const SHA_META = 'sha256';

/** An ObjectStore on S3 (or MinIO): single PUTs below a threshold, multipart above, conditional PUT for commits. */
export class S3Store implements ObjectStore {
  readonly rootUri: string;
  private readonly client: S3Client;
  private readonly threshold: number;
  private readonly pageSize: number;
  private readonly redact: string[];

  /** Opens `s3://bucket/prefix`; options override the environment and the standard AWS chain. */
  constructor(
    readonly bucket: string,
    readonly prefix: string,
    options: S3Options = {},
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.rootUri = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    const config: S3ClientConfig = {
      region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
      // The SDK's standard retry strategy: exponential backoff with full jitter on throttling
      // (SlowDown, 503), 5xx and transient network errors.
      retryMode: 'standard',
      maxAttempts: options.maxAttempts ?? 5,
    };
    if (endpoint !== undefined) config.endpoint = endpoint;
    if (options.credentials) config.credentials = { ...options.credentials };
    this.client = new S3Client(config);
    this.threshold = Math.max(5 * MIB, options.multipartThreshold ?? 16 * MIB);
    this.pageSize = options.listPageSize ?? 1000;
    this.redact = [options.credentials?.secretAccessKey ?? '', options.credentials?.sessionToken ?? ''].filter(Boolean);
  }

  uri(key: string): string {
    return `${this.rootUri}/${validateKey(key)}`;
  }

  /** Releases the HTTP connections of the underlying client. */
  close(): void {
    this.client.destroy();
  }

  async get(key: string): Promise<Uint8Array> {
    const res = await this.send('get', key, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) })),
    );
    const bytes = await this.bodyBytes('get', key, res.Body);
    const expected = res.Metadata?.[SHA_META];
    if (expected) {
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== expected) {
        throw new ChecksumMismatchError(
          `${this.uri(key)}: sha256 ${actual} differs from the recorded ${expected}`,
          expected,
          actual,
          { subject: this.uri(key) },
        );
      }
    }
    return bytes;
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(key, offset, length);
    if (length === 0) return new Uint8Array(0);
    const res = await this.send('getRange', key, () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.full(key),
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      ),
    );
    const bytes = await this.bodyBytes('getRange', key, res.Body);
    if (bytes.byteLength !== length) {
      throw new StorageError(
        `${this.uri(key)}: range ${offset}+${length} returned ${bytes.byteLength} bytes (beyond the object's end?)`,
        { subject: this.uri(key) },
      );
    }
    return bytes;
  }

  async put(key: string, body: PutBody): Promise<PutResult> {
    validateKey(key);
    // Buffer up to the threshold: small objects go up as one PUT carrying their sha256.
    const iterator = chunksOf(body)[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let buffered = 0;
    let done = false;
    try {
      while (buffered <= this.threshold) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        head.push(next.value);
        buffered += next.value.byteLength;
      }
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(`put ${this.uri(key)}: reading the body failed; nothing was written`, {
        subject: this.uri(key),
        cause: err,
      });
    }
    if (done) return this.putSmall(key, Buffer.concat(head));
    return this.putMultipart(key, head, iterator);
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<void> {
    validateKey(key);
    const sha256 = createHash('sha256').update(body).digest();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.full(key),
            Body: body,
            IfNoneMatch: '*',
            Metadata: { [SHA_META]: sha256.toString('hex') },
          }),
        );
        return;
      } catch (err) {
        // 409 ConditionalRequestConflict: a concurrent conditional write is in flight; retry to learn who won.
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 409 && attempt < 5) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt * Math.random()));
          continue;
        }
        throw this.error('putIfAbsent', key, err);
      }
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const res = await this.send('head', key, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) })),
      );
      const info: ObjectInfo = { size: Number(res.ContentLength ?? 0) };
      const sha = res.Metadata?.[SHA_META];
      if (sha) info.sha256 = sha;
      if (res.ETag) info.etag = res.ETag;
      return info;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ListEntry> {
    validatePrefix(prefix);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const res = await this.send('list', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix ? `${this.prefix}/${prefix}` : prefix,
            MaxKeys: this.pageSize,
            ContinuationToken: token,
          }),
        ),
      );
      for (const obj of res.Contents ?? []) {
        if (obj.Key === undefined) continue;
        yield { key: obj.Key.slice(strip), size: Number(obj.Size ?? 0), ...(obj.ETag ? { etag: obj.ETag } : {}) };
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  /** Creates the bucket when it does not exist (`sigforge storage init`); says which it was. */
  async ensureBucket(): Promise<'created' | 'exists'> {
    const uri = `s3://${this.bucket}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return 'exists';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 404 && (err as { name?: string }).name !== 'NotFound') throw mapS3Error(err, { op: 'head bucket', uri, bucket: this.bucket, key: '', redact: this.redact });
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      return 'created';
    } catch (err) {
      throw mapS3Error(err, { op: 'create bucket', uri, bucket: this.bucket, key: '', redact: this.redact });
    }
  }

  async delete(key: string): Promise<void> {
    await this.send('delete', key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) })),
    );
  }

  private full(key: string): string {
    validateKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private async putSmall(key: string, bytes: Uint8Array): Promise<PutResult> {
    const digest = createHash('sha256').update(bytes).digest();
    await this.send('put', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.full(key),
          Body: bytes,
          // The server verifies the body against this checksum and keeps it; the metadata copy lets get() verify.
          ChecksumSHA256: digest.toString('base64'),
          Metadata: { [SHA_META]: digest.toString('hex') },
        }),
      ),
    );
    return { size: bytes.byteLength, sha256: digest.toString('hex') };
  }

  private async putMultipart(key: string, head: Uint8Array[], rest: AsyncIterator<Uint8Array>): Promise<PutResult> {
    const hash = createHash('sha256');
    let size = 0;
    async function* all(): AsyncIterable<Uint8Array> {
      for (const chunk of head) {
        hash.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        hash.update(next.value);
        size += next.value.byteLength;
        yield next.value;
      }
    }
    // An unfinished multipart upload is never visible; on any error lib-storage aborts it.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.full(key), Body: Readable.from(all(), { objectMode: false }) },
      partSize: 8 * MIB,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      throw this.error('put', key, err);
    }
    const sha256 = hash.digest('hex');
    // The sha256 is known only once every part is sent; a server-side copy onto itself records it as metadata, so
    // get() verifies multipart objects as it does small ones.
    await this.send('put', key, () =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.full(key),
          CopySource: `${this.bucket}/${this.full(key).split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          Metadata: { [SHA_META]: sha256 },
        }),
      ),
    );
    return { size, sha256 };
  }

  private async bodyBytes(op: string, key: string, body: unknown): Promise<Uint8Array> {
    try {
      const b = body as { transformToByteArray(): Promise<Uint8Array> } | undefined;
      if (!b) return new Uint8Array(0);
      return await b.transformToByteArray();
    } catch (err) {
      throw this.error(op, key, err);
    }
  }

  private async send<T>(op: string, key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.error(op, key, err);
    }
  }

  private error(op: string, key: string, err: unknown): StorageError {
    if (err instanceof StorageError) return err;
    return mapS3Error(err, {
      op,
      uri: `${this.rootUri}/${key}`,
      bucket: this.bucket,
      key,
      redact: this.redact,
    });
  }
}
