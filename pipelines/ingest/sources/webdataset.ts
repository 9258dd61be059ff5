/**
 * WebDataset tar shards (and img2dataset's tar output), on disk or S3: samples are members sharing a key (the path
 * up to the first dot of the file name); the image is the jpg/png/webp member, the caption comes from .txt or .json.
 * The URI may name one tar or a folder of tars (read in sorted order).
 */
import { IngestInputError } from '../errors.js';
import { readAheadReader, type RangeReader } from './read-ahead.js';
import { listTar, type TarMember } from './tar.js';
import { captionsFrom, extraFrom, type FileRows, parseSidecar, type Source, type SourceFactory, type SourceIO, type SourceRow } from './types.js';

const IMAGE_EXT = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'tif', 'tiff'];

interface Sample {
  shard: string;
  key: string;
  image: TarMember;
  txt?: TarMember;
  json?: TarMember;
}

async function samplesOf(shard: string, io: SourceIO, read: RangeReader): Promise<Sample[]> {
  const groups = new Map<string, Partial<Sample> & { key: string }>();
  for (const m of await listTar(shard, io, read)) {
    const base = m.name.slice(m.name.lastIndexOf('/') + 1);
    const dot = base.indexOf('.');
    if (dot <= 0) continue;
    const key = m.name.slice(0, m.name.length - base.length + dot);
    const ext = base.slice(dot + 1).toLowerCase();
    const g = groups.get(key) ?? { key, shard };
    if (IMAGE_EXT.includes(ext)) g.image = m;
    else if (ext === 'txt') g.txt = m;
    else if (ext === 'json') g.json = m;
    groups.set(key, g);
  }
  return [...groups.values()].filter((g): g is Sample => g.image !== undefined);
}

const readText = async (read: RangeReader, shard: string, m: TarMember): Promise<string> =>
  new TextDecoder().decode(await read(shard, m.offset, m.size));

/** Where a member's image is: `tar:///abs/shard.tar#member` on disk (as before S3), `s3://bucket/shard.tar#member` on S3. */
function memberRef(io: SourceIO, shard: string, member: string): string {
  const href = io.href(shard);
  return href.startsWith('file:') ? `tar://${shard}#${member}` : `${href}#${member}`;
}

/** WebDataset source factory (column options name the caption fields inside .json members). */
export const webdatasetSource: SourceFactory = (path, options, io, hints = {}): Source => {
  let shards: Promise<string[]> | null = null;
  const listShards = async (): Promise<string[]> => {
    const found = (await io.isDirectory(path)) ? (await io.listFiles(path)).filter((f) => f.endsWith('.tar')) : [path];
    if (found.length === 0) throw new IngestInputError('folder holds no .tar shards', path);
    return found;
  };
  // Headers, sidecars and small images come from read-ahead blocks (one request per block on object storage).
  const read = readAheadReader(io);
  // Shards are indexed in order and only as far as a read needs (a partition near the start never scans the rest).
  // With the plan's rows per shard (hints), a partition starts at the shard holding its first row: `base` rows of
  // the shards before it are skipped, not scanned.
  const samples: Sample[] = [];
  const perShard: FileRows[] = [];
  let base = 0;
  let indexed = 0;
  let started = false;
  let indexing: Promise<void> = Promise.resolve();
  const indexUpTo = (start: number, end: number): Promise<void> =>
    (indexing = indexing.then(async () => {
      const all = await (shards ??= listShards());
      if (!started) {
        started = true;
        const known = hints.fileRows;
        // Only when the hints describe exactly these shards (a changed listing means a changed source).
        if (known && known.length === all.length && known.every((k, i) => k.file === all[i])) {
          while (indexed < all.length && base + known[indexed]!.rows <= start) {
            const k = known[indexed++]!;
            perShard.push(k);
            base += k.rows;
          }
        }
      }
      while (base + samples.length < end && indexed < all.length) {
        const shard = all[indexed++]!;
        const found = await samplesOf(shard, io, read);
        samples.push(...found);
        perShard.push({ file: shard, rows: found.length });
      }
    }));
  return {
    count: async () => {
      await indexUpTo(0, Infinity);
      return base + samples.length;
    },
    fileRows: async () => {
      await indexUpTo(0, Infinity);
      return [...perShard];
    },
    async *rows(start, end) {
      await indexUpTo(start, end);
      if (start < base) throw new IngestInputError(`rows from ${start} were skipped by this reader (it starts at ${base})`, path);
      for (let index = start; index < Math.min(end, base + samples.length); index++) {
        const s = samples[index - base]!;
        const meta = s.json ? parseSidecar(await readText(read, s.shard, s.json), memberRef(io, s.shard, s.json.name)) : {};
        const fromJson = captionsFrom(options.captionColumns.map((c) => meta[c]));
        const txt = s.txt ? (await readText(read, s.shard, s.txt)).trim() : '';
        const caps = txt ? captionsFrom([txt, fromJson.caption, ...fromJson.alt_captions]) : fromJson;
        // Deduplicate: img2dataset writes the same caption to .txt and .json.
        const alt = [...new Set(caps.alt_captions)].filter((c) => c !== caps.caption);
        const original = meta[options.urlColumn];
        const row: SourceRow = {
          index,
          url: typeof original === 'string' && original ? original : memberRef(io, s.shard, s.image.name),
          caption: caps.caption,
          alt_captions: alt,
          // .json keys (img2dataset writes its save_additional_columns there); null where a sample lacks one.
          extra: extraFrom(options.extraColumns, (c) => meta[c]),
          load: async () => read(s.shard, s.image.offset, s.image.size),
        };
        yield row;
      }
    },
  };
};
