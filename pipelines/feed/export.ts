// Writes a batch stream to Arrow IPC files for offline use: part-NNNNNN.arrow files of `perFile` record batches
// (the same batches and resume tokens `batches serve` streams), then feed.json naming the parts and the last token.
// Each object is written atomically and the content is a pure function of the inputs, so a rerun is idempotent.
import { Table, tableToIPC } from 'apache-arrow';
import { type ObjectStore } from '../../storage/index.js';
import { FeedEncoder } from './encode.js';
import { FeedError } from './errors.js';
import { type FeedSource, type FeedStart, openFeedLoader } from './source.js';
import { encodeToken } from './token.js';

/** Options of {@link exportBatches}. */
export interface ExportOptions {
  /** Where the files go (e.g. a `file://` store of the --out directory), under `prefix`. */
  out: ObjectStore;
  prefix?: string;
  /** Batches to write. */
  batches: number;
  /** Record batches per file. */
  perFile: number;
  start?: FeedStart;
}

/** What an export wrote. */
export interface ExportSummary {
  files: string[];
  batches: number;
  rows: number;
  /** The resume token after the last batch (continue with `--token`). */
  token: string;
}

/** Exports `batches` batches of the stream as Arrow IPC files plus a feed.json index. */
export async function exportBatches(src: FeedSource, opts: ExportOptions): Promise<ExportSummary> {
  if (!Number.isInteger(opts.batches) || opts.batches < 1) throw new FeedError('batches', `must be a positive integer, got ${opts.batches}`);
  if (!Number.isInteger(opts.perFile) || opts.perFile < 1) throw new FeedError('per-file', `must be a positive integer, got ${opts.perFile}`);
  const encoder = new FeedEncoder(src.spec);
  const loader = await openFeedLoader(src, opts.start ?? {});
  const key = (name: string): string => (opts.prefix ? `${opts.prefix}/${name}` : name);
  const files: string[] = [];
  let rows = 0;
  let token = opts.start?.token ?? '';
  try {
    for (let done = 0; done < opts.batches; ) {
      const part = [];
      for (; part.length < opts.perFile && done < opts.batches; done++) {
        const b = await loader.next();
        part.push(encoder.encode(b));
        rows += b.ids.length;
        token = encodeToken(src.spec, b.position);
      }
      const name = `part-${String(files.length).padStart(6, '0')}.arrow`;
      await opts.out.put(key(name), tableToIPC(new Table(encoder.schema, part), 'file'));
      files.push(name);
    }
  } finally {
    await loader.close();
  }
  const index = { format: 'sigforge.feed', data: src.spec.data, files, batches: opts.batches, rows, token };
  await opts.out.put(key('feed.json'), new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`));
  return { files, batches: opts.batches, rows, token };
}
