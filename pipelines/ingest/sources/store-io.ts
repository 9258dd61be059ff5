/**
 * The SourceIO of sources kept in object storage (`s3://bucket/key` URIs): whole reads for small files (CSV, JSONL,
 * sidecars), exact ranged reads for Parquet footers and column chunks and tar members. It asks scanners (tar
 * headers, small members) to read ahead by a block (see read-ahead.ts): request latency, not bytes, dominates here.
 * Storage errors a retry cannot fix (no such object or bucket, access denied) become IngestInputErrors naming the
 * URI; transient ones pass through unchanged (retryable).
 */
import {
  InvalidKeyError,
  InvalidUriError,
  NotFoundError,
  parseRootUri,
  StoreAccessError,
  type ObjectStore,
} from '../../../storage/index.js';
import { IngestInputError } from '../errors.js';
import { checkReadRange } from './range.js';
import { type SourceIO } from './types.js';

/** Read-ahead block size for scans over object storage (one request per MiB instead of one per tar member). */
export const BLOCK_BYTES = 1024 * 1024;

/** The part of a storage error after its `<op> <uri>: ` prefix (the IngestInputError names the URI itself). */
function why(err: Error): string {
  return err.message.replace(/^\w+ s3:\/\/\S*?: /, '').replace(/^storage URI "[^"]*": /, '');
}

/** Turns storage errors a retry cannot fix into IngestInputErrors naming `uri`; others are returned unchanged. */
function asInputError(err: unknown, uri: string): unknown {
  if (err instanceof NotFoundError) return new IngestInputError('no such object', uri, { cause: err });
  if (err instanceof StoreAccessError || err instanceof InvalidKeyError || err instanceof InvalidUriError) {
    return new IngestInputError(why(err), uri, { cause: err });
  }
  return err;
}

/** Whether any object's key starts with `prefix` (reads at most one listing page). */
async function hasAny(store: ObjectStore, prefix: string): Promise<boolean> {
  for await (const _ of store.list(prefix)) return true;
  return false;
}

/** A SourceIO over the object stores `storeFor` opens, one per bucket (each rooted at `s3://bucket`). */
export function storeSourceIO(storeFor: (bucket: string) => ObjectStore): SourceIO {
  const sizes = new Map<string, Promise<number>>();

  const locate = (uri: string): { store: ObjectStore; bucket: string; key: string } => {
    let root;
    try {
      root = parseRootUri(uri);
    } catch (err) {
      throw asInputError(err, uri);
    }
    if (root.kind !== 's3') throw new IngestInputError('not an s3:// URI', uri);
    return { store: storeFor(root.bucket), bucket: root.bucket, key: root.prefix };
  };
  const objectOf = (uri: string): { store: ObjectStore; key: string } => {
    const at = locate(uri);
    if (at.key === '') throw new IngestInputError('names a bucket, not an object', uri);
    return at;
  };
  const call = async <T>(uri: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw asInputError(err, uri);
    }
  };

  const size = (uri: string): Promise<number> => {
    let known = sizes.get(uri);
    if (!known) {
      known = call(uri, async () => {
        const { store, key } = objectOf(uri);
        const info = await store.head(key);
        if (info) return info.size;
        // HEAD answers a missing bucket like a missing object; a listing tells them apart (and throws for the bucket).
        await hasAny(store, key);
        throw new IngestInputError('no such object', uri);
      });
      sizes.set(uri, known);
      known.catch(() => sizes.delete(uri));
    }
    return known;
  };

  return {
    async readFile(uri) {
      return await call(uri, () => {
        const { store, key } = objectOf(uri);
        return store.get(key);
      });
    },
    async readRange(uri, offset, length) {
      checkReadRange(uri, offset, length, await size(uri));
      if (length === 0) return new Uint8Array(0);
      return await call(uri, () => {
        const { store, key } = objectOf(uri);
        return store.getRange(key, offset, length);
      });
    },
    size,
    async listFiles(dir) {
      const { store, bucket, key } = locate(dir);
      const out: string[] = [];
      await call(dir, async () => {
        for await (const e of store.list(key === '' ? '' : `${key}/`)) {
          if (!e.key.endsWith('/')) out.push(`s3://${bucket}/${e.key}`);
        }
      });
      return out.sort();
    },
    async isDirectory(uri) {
      const { store, key } = locate(uri);
      if (key === '') return true;
      return await call(uri, () => hasAny(store, `${key}/`));
    },
    href(uri) {
      return uri;
    },
    readAhead: () => BLOCK_BYTES,
  };
}
