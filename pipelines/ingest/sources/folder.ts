/**
 * Local folders: every image file, with its caption from a sidecar `.txt` (same name) or `.json`.
 */
import { pathToFileURL } from 'node:url';
import { IngestInputError } from '../errors.js';
import { captionsFrom, type Source, type SourceFactory, type SourceRow } from './types.js';

const IMAGE = /\.(jpe?g|png|webp|gif|avif|tiff?)$/i;

/** Folder source factory (column options name the caption fields inside sidecar .json files). */
export const folderSource: SourceFactory = (dir, options, io): Source => {
  let cache: Promise<{ files: Set<string>; images: string[] }> | null = null;
  const load = async (): Promise<{ files: Set<string>; images: string[] }> => {
    if (!(await io.isDirectory(dir))) throw new IngestInputError('not a folder', dir);
    const files = await io.listFiles(dir);
    return { files: new Set(files), images: files.filter((f) => IMAGE.test(f)) };
  };
  const get = (): ReturnType<typeof load> => (cache ??= load());
  return {
    count: async () => (await get()).images.length,
    async *rows(start, end) {
      const { files, images } = await get();
      for (let index = start; index < Math.min(end, images.length); index++) {
        const img = images[index]!;
        const stem = img.replace(IMAGE, '');
        let caps = { caption: '', alt_captions: [] as string[] };
        if (files.has(`${stem}.json`)) {
          const text = new TextDecoder().decode(await io.readFile(`${stem}.json`));
          let meta: { [k: string]: unknown };
          try {
            meta = JSON.parse(text) as { [k: string]: unknown };
          } catch (cause) {
            throw new IngestInputError('sidecar is not valid JSON', `${stem}.json`, { cause });
          }
          caps = captionsFrom(options.captionColumns.map((c) => meta[c]));
        }
        if (files.has(`${stem}.txt`)) {
          const lines = new TextDecoder().decode(await io.readFile(`${stem}.txt`)).split(/\r?\n/);
          // One caption per line: the first is the caption, further lines are alternative captions.
          caps = captionsFrom([...lines, caps.caption, ...caps.alt_captions]);
          caps.alt_captions = [...new Set(caps.alt_captions)].filter((c) => c !== caps.caption);
        }
        const row: SourceRow = { index, url: pathToFileURL(img).href, ...caps, load: () => io.readFile(img) };
        yield row;
      }
    },
  };
};
