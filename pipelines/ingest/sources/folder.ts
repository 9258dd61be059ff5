/**
 * Folders (on disk or an S3 prefix): every image file, with its caption from a sidecar `.txt` (same name) or `.json`.
 */
import { IngestInputError } from '../errors.js';
import { captionsFrom, extraFrom, parseSidecar, type Source, type SourceFactory, type SourceRow } from './types.js';

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
        let meta: { [k: string]: unknown } = {};
        if (files.has(`${stem}.json`)) {
          const text = new TextDecoder().decode(await io.readFile(`${stem}.json`));
          meta = parseSidecar(text, io.href(`${stem}.json`));
          caps = captionsFrom(options.captionColumns.map((c) => meta[c]));
        }
        if (files.has(`${stem}.txt`)) {
          const lines = new TextDecoder().decode(await io.readFile(`${stem}.txt`)).split(/\r?\n/);
          // One caption per line: the first is the caption, further lines are alternative captions.
          caps = captionsFrom([...lines, caps.caption, ...caps.alt_captions]);
          caps.alt_captions = [...new Set(caps.alt_captions)].filter((c) => c !== caps.caption);
        }
        const row: SourceRow = {
          index,
          url: io.href(img),
          ...caps,
          // Sidecar keys; an image without a sidecar (or a sidecar without the key) has null there.
          extra: extraFrom(options.extraColumns, (c) => meta[c]),
          load: () => io.readFile(img),
        };
        yield row;
      }
    },
  };
};
