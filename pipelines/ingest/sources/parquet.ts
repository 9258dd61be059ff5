/**
 * Parquet URL lists (img2dataset input and output parquet files) read with hyparquet, by row range.
 */
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer } from 'hyparquet';
import { IngestInputError } from '../errors.js';
import { captionsFrom, type Source, type SourceFactory, type SourceIO } from './types.js';

function asyncBuffer(path: string, io: SourceIO, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start, end) {
      const bytes = await io.readRange(path, start, (end ?? byteLength) - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** Parquet source factory. */
export const parquetSource: SourceFactory = (path, options, io): Source => {
  let opened: Promise<{ file: AsyncBuffer; rows: number; captionColumns: string[] }> | null = null;
  const open = async (): Promise<{ file: AsyncBuffer; rows: number; captionColumns: string[] }> => {
    const file = asyncBuffer(path, io, await io.size(path));
    let metadata;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (cause) {
      throw new IngestInputError(`not a readable Parquet file: ${(cause as Error).message}`, path, { cause });
    }
    const columns = parquetSchema(metadata).children.map((c) => c.element.name);
    if (!columns.includes(options.urlColumn)) {
      throw new IngestInputError(`no column ${JSON.stringify(options.urlColumn)} (columns: ${columns.join(', ')})`, path);
    }
    const captionColumns = options.captionColumns.filter((c) => columns.includes(c));
    if (captionColumns.length === 0) {
      throw new IngestInputError(`no caption column ${options.captionColumns.join(' or ')} (columns: ${columns.join(', ')})`, path);
    }
    return { file, rows: Number(metadata.num_rows), captionColumns };
  };
  const get = (): ReturnType<typeof open> => (opened ??= open());
  return {
    count: async () => (await get()).rows,
    async *rows(start, end) {
      const { file, rows, captionColumns } = await get();
      const stop = Math.min(end, rows);
      if (start >= stop) return;
      const objs = await parquetReadObjects({
        file,
        columns: [options.urlColumn, ...captionColumns],
        rowStart: start,
        rowEnd: stop,
      });
      let index = start;
      for (const o of objs) {
        const url = o[options.urlColumn];
        yield {
          index: index++,
          url: typeof url === 'string' ? url.trim() : '',
          ...captionsFrom(captionColumns.map((c) => o[c])),
        };
      }
    },
  };
};
