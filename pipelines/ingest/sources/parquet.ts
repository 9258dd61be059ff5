/**
 * Parquet URL lists (img2dataset input and output parquet files) read with hyparquet, by row range.
 */
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { StorageError } from '../../../storage/index.js';
import { IngestError, IngestInputError } from '../errors.js';
import { checkReadRange } from './range.js';
import { captionsFrom, extraFrom, type Source, type SourceFactory, type SourceIO } from './types.js';

function asyncBuffer(path: string, io: SourceIO, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    slice(start, end) {
      const read = async (): Promise<ArrayBuffer> => {
        // hyparquet takes ranges from the footer: a corrupt footer must fail here, before anything is allocated.
        checkReadRange(path, start, (end ?? byteLength) - start, byteLength);
        const bytes = await io.readRange(path, start, (end ?? byteLength) - start);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      };
      const p = read();
      // hyparquet prefetches slices it may never await once another read failed: keep those from going unhandled.
      p.catch(() => undefined);
      return p;
    },
  };
}

/** Parquet source factory. */
export const parquetSource: SourceFactory = (path, options, io): Source => {
  type Opened = { file: AsyncBuffer; metadata: FileMetaData; rows: number; captionColumns: string[] };
  let opened: Promise<Opened> | null = null;
  const open = async (): Promise<Opened> => {
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
    const missing = options.extraColumns.filter((c) => !columns.includes(c));
    if (missing.length > 0) {
      throw new IngestInputError(`no extra column ${missing.map((m) => JSON.stringify(m)).join(', ')} (columns: ${columns.join(', ')})`, path);
    }
    return { file, metadata, rows: Number(metadata.num_rows), captionColumns };
  };
  const get = (): ReturnType<typeof open> => (opened ??= open());
  return {
    count: async () => (await get()).rows,
    async *rows(start, end) {
      const { file, metadata, rows, captionColumns } = await get();
      const stop = Math.min(end, rows);
      if (start >= stop) return;
      let objs: Awaited<ReturnType<typeof parquetReadObjects>>;
      try {
        objs = await parquetReadObjects({
          file,
          metadata,
          // Only these columns' chunks are fetched (ranged reads), never the whole file.
          columns: [...new Set([options.urlColumn, ...captionColumns, ...options.extraColumns])],
          rowStart: start,
          rowEnd: stop,
        });
      } catch (cause) {
        // IO failures keep their own class (transient ones stay retryable); a decode failure is bad input.
        if (cause instanceof IngestError || cause instanceof StorageError || typeof (cause as { code?: unknown }).code === 'string') throw cause;
        throw new IngestInputError(`rows ${start}-${stop} do not decode: ${(cause as Error).message}`, path, { cause });
      }
      let index = start;
      for (const o of objs) {
        const url = o[options.urlColumn];
        yield {
          index: index++,
          url: typeof url === 'string' ? url.trim() : '',
          ...captionsFrom(captionColumns.map((c) => o[c])),
          extra: extraFrom(options.extraColumns, (c) => o[c]),
        };
      }
    },
  };
};
