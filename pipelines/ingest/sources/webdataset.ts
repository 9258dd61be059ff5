/**
 * WebDataset tar shards (and img2dataset's tar output): samples are members sharing a key (the path up to the
 * first dot of the file name); the image is the jpg/png/webp member, the caption comes from .txt or .json.
 * The URI may name one tar or a folder of tars (read in sorted order).
 */
import { IngestInputError } from '../errors.js';
import { listTar, type TarMember } from './tar.js';
import { captionsFrom, type Source, type SourceFactory, type SourceIO, type SourceRow } from './types.js';

const IMAGE_EXT = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'tif', 'tiff'];

interface Sample {
  shard: string;
  key: string;
  image: TarMember;
  txt?: TarMember;
  json?: TarMember;
}

async function samplesOf(shard: string, io: SourceIO): Promise<Sample[]> {
  const groups = new Map<string, Partial<Sample> & { key: string }>();
  for (const m of await listTar(shard, io)) {
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

const readText = async (io: SourceIO, shard: string, m: TarMember): Promise<string> =>
  new TextDecoder().decode(await io.readRange(shard, m.offset, m.size));

/** WebDataset source factory (column options name the caption fields inside .json members). */
export const webdatasetSource: SourceFactory = (path, options, io): Source => {
  let cache: Promise<Sample[]> | null = null;
  const load = async (): Promise<Sample[]> => {
    const shards = (await io.isDirectory(path)) ? (await io.listFiles(path)).filter((f) => f.endsWith('.tar')) : [path];
    if (shards.length === 0) throw new IngestInputError('folder holds no .tar shards', path);
    const all: Sample[] = [];
    for (const s of shards) all.push(...(await samplesOf(s, io)));
    return all;
  };
  const samples = (): Promise<Sample[]> => (cache ??= load());
  return {
    count: async () => (await samples()).length,
    async *rows(start, end) {
      const list = await samples();
      for (let index = start; index < Math.min(end, list.length); index++) {
        const s = list[index]!;
        let meta: { [k: string]: unknown } = {};
        if (s.json) {
          try {
            meta = JSON.parse(await readText(io, s.shard, s.json)) as { [k: string]: unknown };
          } catch (cause) {
            throw new IngestInputError(`member ${s.json.name} is not valid JSON`, s.shard, { cause });
          }
        }
        const fromJson = captionsFrom(options.captionColumns.map((c) => meta[c]));
        const txt = s.txt ? (await readText(io, s.shard, s.txt)).trim() : '';
        const caps = txt ? captionsFrom([txt, fromJson.caption, ...fromJson.alt_captions]) : fromJson;
        // Deduplicate: img2dataset writes the same caption to .txt and .json.
        const alt = [...new Set(caps.alt_captions)].filter((c) => c !== caps.caption);
        const original = meta[options.urlColumn];
        const row: SourceRow = {
          index,
          url: typeof original === 'string' && original ? original : `tar://${s.shard}#${s.image.name}`,
          caption: caps.caption,
          alt_captions: alt,
          load: async () => io.readRange(s.shard, s.image.offset, s.image.size),
        };
        yield row;
      }
    },
  };
};
