/**
 * The local-disk SourceIO (sources read user-provided inputs; datasets themselves go through storage/).
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SourceIO } from './types.js';

/** Turns `file:///x` or a plain path into an absolute path. */
export function toLocalPath(uri: string): string {
  return path.resolve(uri.startsWith('file://') ? fileURLToPath(uri) : uri);
}

/** SourceIO over the local file system. */
export const localSourceIO: SourceIO = {
  async readFile(p) {
    return new Uint8Array(await readFile(p));
  },
  async readRange(p, offset, length) {
    const fh = await open(p, 'r');
    try {
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
};
