/**
 * The source registry: formats by name, plus format detection from a URI.
 */
import { IngestInputError } from '../errors.js';
import { delimitedSource } from './delimited.js';
import { folderSource } from './folder.js';
import { sourceIO, sourcePath } from './io.js';
import { jsonlSource } from './jsonl.js';
import { withLangColumn } from './lang-column.js';
import { parquetSource } from './parquet.js';
import { SourceOptionsSchema, type Source, type SourceFactory, type SourceHints, type SourceIO, type SourceOptions } from './types.js';
import { webdatasetSource } from './webdataset.js';

/** img2dataset output folder: its tar shards when present (images already downloaded), else its parquet files. */
const img2datasetSource: SourceFactory = (path, options, io, hints): Source => {
  let inner: Promise<Source> | null = null;
  const pick = async (): Promise<Source> => {
    const files = (await io.isDirectory(path)) ? await io.listFiles(path) : [path];
    if (files.some((f) => f.endsWith('.tar'))) return webdatasetSource(path, options, io, hints);
    const parquets = files.filter((f) => f.endsWith('.parquet'));
    if (parquets.length === 1) return parquetSource(parquets[0]!, options, io);
    throw new IngestInputError(`expected img2dataset tar shards or exactly one parquet file, found ${parquets.length} parquet files`, path);
  };
  const get = (): Promise<Source> => (inner ??= pick());
  return {
    count: async () => (await get()).count(),
    async *rows(start, end) {
      yield* (await get()).rows(start, end);
    },
    fileRows: async () => (await (await get()).fileRows?.()) ?? [],
  };
};

const SOURCES: { [name: string]: SourceFactory } = {
  csv: delimitedSource(','),
  tsv: delimitedSource('\t'),
  jsonl: jsonlSource,
  parquet: parquetSource,
  folder: folderSource,
  webdataset: webdatasetSource,
  img2dataset: img2datasetSource,
};

/** Names of every registered source format. */
export const SOURCE_FORMATS = Object.keys(SOURCES);

/** Guesses the format from the URI's extension (a folder is `folder`); throws naming the valid formats. */
export function detectFormat(uri: string, isDirectory: boolean): string {
  if (isDirectory) return 'folder';
  const m = /\.(csv|tsv|jsonl|ndjson|parquet|tar)$/i.exec(uri);
  if (!m) throw new IngestInputError(`cannot tell the format from the name; pass one of: ${SOURCE_FORMATS.join(', ')}`, uri);
  const ext = m[1]!.toLowerCase();
  return ext === 'ndjson' ? 'jsonl' : ext === 'tar' ? 'webdataset' : ext;
}

/**
 * Opens a source by format name (or detected from the URI when `format` is omitted). `uri` is a local path,
 * `file://` or `s3://bucket/key` URI; `io` must reach that scheme (the default reads local disk only).
 */
export async function openSource(
  uri: string,
  format?: string,
  options: Partial<SourceOptions> = {},
  io: SourceIO = sourceIO(),
  hints: SourceHints = {},
): Promise<Source> {
  const path = sourcePath(uri);
  const name = format ?? detectFormat(path, await io.isDirectory(path));
  const factory = SOURCES[name];
  if (!factory) throw new IngestInputError(`unknown source format ${JSON.stringify(name)}; valid: ${SOURCE_FORMATS.join(', ')}`, uri);
  return withLangColumn(factory, path, SourceOptionsSchema.parse(options), io, hints);
}
