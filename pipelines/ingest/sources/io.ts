/**
 * Source IO by URI scheme: local disk (plain paths, `file://`) and object storage (`s3://`). Sources read
 * user-provided inputs; datasets themselves go through storage/.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ObjectStore } from '../../../storage/index.js';
import { IngestInputError } from '../errors.js';
import { checkReadRange } from './range.js';
import { storeSourceIO } from './store-io.js';
import { type SourceIO } from './types.js';

/** Turns `file:///x` or a plain path into an absolute path. */
export function toLocalPath(uri: string): string {
  return path.resolve(uri.startsWith('file://') ? fileURLToPath(uri) : uri);
}

/** Whether a source URI names object storage. */
export const isS3Uri = (uri: string): boolean => uri.startsWith('s3://');

/** The path a source IO takes for a URI: an absolute local path, or the `s3://` URI without trailing slashes. */
export function sourcePath(uri: string): string {
  if (isS3Uri(uri)) return uri.replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new IngestInputError('unsupported scheme; a source is a local path, a file:// URI or an s3://bucket/key URI', uri);
  }
  return toLocalPath(uri);
}

/** SourceIO over the local file system. */
export const localSourceIO: SourceIO = {
  async readFile(p) {
    return new Uint8Array(await readFile(p));
  },
  async readRange(p, offset, length) {
    const fh = await open(p, 'r');
    try {
      // Bounded by the file, checked before allocating: a corrupt index or footer cannot ask for gigabytes.
      const { size } = await fh.stat();
      checkReadRange(p, offset, length, size);
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
    } finally {
      await fh.close();
    }
  },
  async size(p) {
    return (await stat(p)).size;
  },
  async listFiles(dir) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
  },
  async isDirectory(p) {
    try {
      return (await stat(p)).isDirectory();
    } catch {
      return false;
    }
  },
  href(p) {
    return pathToFileURL(p).href;
  },
};

/** How to reach object storage: the store of a bucket, rooted at `s3://bucket` (the caller owns and closes it). */
export interface SourceIOOptions {
  storeFor?: (bucket: string) => ObjectStore;
}

/** A SourceIO that reads `s3://` paths through `storeFor` and everything else from local disk. */
export function sourceIO(options: SourceIOOptions = {}): SourceIO {
  const remote = options.storeFor ? storeSourceIO(options.storeFor) : null;
  const pick = (p: string): SourceIO => {
    if (!isS3Uri(p)) return localSourceIO;
    if (!remote) throw new IngestInputError('reading an s3:// source needs S3 access, which this caller was not given', p);
    return remote;
  };
  return {
    readFile: async (p) => await pick(p).readFile(p),
    readRange: async (p, offset, length) => await pick(p).readRange(p, offset, length),
    size: async (p) => await pick(p).size(p),
    listFiles: async (p) => await pick(p).listFiles(p),
    isDirectory: async (p) => await pick(p).isDirectory(p),
    href: (p) => pick(p).href(p),
    readAhead: (p) => pick(p).readAhead?.(p) ?? 0,
  };
}
