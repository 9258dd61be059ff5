/**
 * Read-ahead for scans (tar headers, small tar members): small reads are served from aligned blocks of the IO's
 * read-ahead size, each fetched once and kept while recently used, so scanning a tar on object storage costs one
 * request per block instead of one per member. On an IO without read-ahead (local disk) reads go straight through.
 */
import { IngestInputError } from '../errors.js';
import { type SourceIO } from './types.js';

/** Reads `length` bytes at `offset` of `path`. */
export type RangeReader = (path: string, offset: number, length: number) => Promise<Uint8Array>;

/** Blocks kept (least recently used dropped first): a partition's concurrent loads touch only a few at a time. */
const BLOCKS_KEPT = 16;

/** A reader over `io` that serves reads under an eighth of a block from cached blocks. */
export function readAheadReader(io: SourceIO): RangeReader {
  const blocks = new Map<string, Promise<Uint8Array>>();
  const block = (path: string, n: number, bytes: number): Promise<Uint8Array> => {
    const id = `${n}\0${path}`;
    let b = blocks.get(id);
    if (b) blocks.delete(id);
    else {
      b = io.size(path).then((total) => io.readRange(path, n * bytes, Math.max(0, Math.min(bytes, total - n * bytes))));
      b.catch(() => blocks.delete(id));
    }
    blocks.set(id, b);
    while (blocks.size > BLOCKS_KEPT) blocks.delete(blocks.keys().next().value!);
    return b;
  };
  return async (path, offset, length) => {
    const bytes = io.readAhead?.(path) ?? 0;
    if (bytes <= 0 || length === 0 || length >= bytes / 8) return await io.readRange(path, offset, length);
    const first = Math.floor(offset / bytes);
    const last = Math.floor((offset + length - 1) / bytes);
    const parts = await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => block(path, first + i, bytes)));
    const from = offset - first * bytes;
    if (parts.length === 1 && parts[0]!.byteLength >= from + length) return parts[0]!.subarray(from, from + length);
    const out = new Uint8Array(length);
    let at = 0;
    for (const [i, p] of parts.entries()) {
      const start = i === 0 ? from : 0;
      const piece = p.subarray(start, Math.min(p.byteLength, start + length - at));
      out.set(piece, at);
      at += piece.byteLength;
    }
    if (at !== length) throw new IngestInputError(`range ${offset}+${length} runs past the end (${at} bytes there)`, io.href(path));
    return out;
  };
}
