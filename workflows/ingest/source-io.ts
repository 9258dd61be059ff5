/**
 * How ingest activities reach their sources: local disk, or S3 with this worker's settings (one store per bucket,
 * opened on first use and closed with the IO), plus the fingerprint that ties a plan to the source's content.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { closeStore, createStores, type ObjectStore, type S3Options } from '../../storage/index.js';
import { isS3Uri, sourceIO, sourcePath } from '../../pipelines/ingest/sources/io.js';
import { type SourceIO } from '../../pipelines/ingest/sources/types.js';

/** What identifies a source's current content (hashed into the plan, so a changed source means a new version). */
export type SourceFingerprint =
  | { size: number; mtimeMs: number }
  | { size: number; etag?: string; sha256?: string }
  | { objects: number; bytes: number; digest: string }
  | null;

/** A source IO with its S3 connections; `close()` releases them. */
export interface IngestSourceIO {
  io: SourceIO;
  fingerprint(uri: string): Promise<SourceFingerprint>;
  close(): void;
}

/** Opens the source IO of one activity run; S3 sources use `s3` (endpoint, region; credentials from the AWS chain). */
export function openIngestSourceIO(s3?: S3Options): IngestSourceIO {
  const factory = createStores(s3 ? { s3 } : {});
  const stores = new Map<string, ObjectStore>();
  const storeFor = (bucket: string): ObjectStore => {
    let s = stores.get(bucket);
    if (!s) {
      s = factory.open(`s3://${bucket}`);
      stores.set(bucket, s);
    }
    return s;
  };
  return {
    io: sourceIO({ storeFor }),
    async fingerprint(uri) {
      const path = sourcePath(uri);
      if (!isS3Uri(path)) {
        // Local: size and mtime of a file; folders are not fingerprinted (as before S3 sources existed).
        try {
          const s = await stat(path);
          return s.isDirectory() ? null : { size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
        } catch {
          return null;
        }
      }
      const [, bucket = '', key = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(path) ?? [];
      const store = storeFor(bucket);
      if (key !== '') {
        const info = await store.head(key);
        if (info) return { size: info.size, ...(info.etag ? { etag: info.etag } : {}), ...(info.sha256 ? { sha256: info.sha256 } : {}) };
      }
      // A prefix (folder of images or tar shards): every object's key, size and ETag, hashed.
      const hash = createHash('sha256');
      let objects = 0;
      let bytes = 0;
      for await (const e of store.list(key === '' ? '' : `${key}/`)) {
        hash.update(`${e.key}\t${e.size}\t${e.etag ?? ''}\n`);
        objects++;
        bytes += e.size;
      }
      return objects === 0 ? null : { objects, bytes, digest: hash.digest('hex') };
    },
    close() {
      for (const s of stores.values()) closeStore(s);
      stores.clear();
    },
  };
}
