/**
 * A minimal tar (ustar/pax) index reader: member names, offsets and sizes, read through ranged IO so large
 * shards are never loaded whole (on object storage, headers are read ahead a block at a time).
 */
import { IngestInputError } from '../errors.js';
import { readAheadReader, type RangeReader } from './read-ahead.js';
import { type SourceIO } from './types.js';

/** One regular file inside a tar. */
export interface TarMember {
  name: string;
  offset: number;
  size: number;
}

const text = (b: Uint8Array, start: number, len: number): string => {
  const s = b.subarray(start, start + len);
  const end = s.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? s.subarray(0, end) : s);
};

/** Parses a pax extended header body into key/value pairs. */
function parsePax(body: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const s = new TextDecoder().decode(body);
  let i = 0;
  while (i < s.length) {
    const sp = s.indexOf(' ', i);
    const len = Number(s.slice(i, sp));
    if (!(len > 0)) break;
    const rec = s.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** Longest pax (`x`) or GNU long-name (`L`) header body read: real ones are a few hundred bytes. */
export const MAX_TAR_META_BYTES = 1024 * 1024;

/** Lists the regular-file members of the tar at `path`, in archive order. */
export async function listTar(path: string, io: SourceIO, read: RangeReader = readAheadReader(io)): Promise<TarMember[]> {
  const total = await io.size(path);
  const members: TarMember[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + 512 <= total) {
    const h = await read(path, offset, 512);
    if (h.every((b) => b === 0)) break;
    const sizeField = text(h, 124, 12).trim();
    const size = /^[0-7]*$/.test(sizeField) ? parseInt(sizeField || '0', 8) : NaN;
    if (Number.isNaN(size)) throw new IngestInputError(`bad tar header at byte ${offset} (size field is not octal)`, path);
    const type = String.fromCharCode(h[156]!);
    const prefix = text(h, 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    longName = null;
    const dataAt = offset + 512;
    // Every size is checked against the archive before anything is read or allocated for it.
    if (dataAt + size > total) {
      throw new IngestInputError(`tar entry at byte ${offset} declares ${size} bytes; only ${total - dataAt} follow (truncated or corrupt)`, path);
    }
    if (type === 'x' || type === 'L') {
      if (size > MAX_TAR_META_BYTES) {
        throw new IngestInputError(`tar ${type === 'x' ? 'pax' : 'long-name'} header at byte ${offset} declares ${size} bytes (limit ${MAX_TAR_META_BYTES})`, path);
      }
      const body = await read(path, dataAt, size);
      longName = type === 'L' ? text(body, 0, size) : (parsePax(body).get('path') ?? null);
    } else if (type === '0' || type === '\0' || type === '7') {
      name = name.replace(/^\.\//, '');
      members.push({ name, offset: dataAt, size });
    }
    offset = dataAt + Math.ceil(size / 512) * 512;
  }
  return members;
}
