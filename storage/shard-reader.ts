import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { NotFoundError, ShardFormatError } from './errors.js';
import { type ObjectStore } from './object-store.js';
import { type DataRecord, RECORD_SCHEMA_VERSION } from './record.js';
import { columnElement, OPTIONAL_COLUMNS, RECORD_COLUMNS, type RecordColumn, SCHEMA_VERSION_KEY } from './shard-schema.js';

/** Options of {@link readShard}. */
export interface ReadShardOptions<K extends RecordColumn> {
  /** Columns to read (others are never fetched); default all. */
  columns?: K[];
}

/** A shard's footer, checked against the Record schema. */
export interface ShardMetadata {
  uri: string;
  size: number;
  metadata: FileMetaData;
  rows: number;
  rowGroups: { rows: number; bytes: number; compressedBytes: number }[];
  schemaVersion: number;
  /** The Record columns the file holds (an older shard lacks the optional ones added since it was written). */
  columns: RecordColumn[];
}

/** A random-access view of one object through ranged reads (hyparquet's AsyncBuffer). */
export function storeAsyncBuffer(store: ObjectStore, key: string, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const bytes = await store.getRange(key, start, Math.max(0, stop - start));
      if (
        bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength &&
        bytes.buffer instanceof ArrayBuffer
      ) {
        return bytes.buffer;
      }
      return bytes.slice().buffer;
    },
  };
}

/** Reads and checks a shard's footer and schema; throws ShardFormatError naming the file and the broken invariant. */
export async function readShardMetadata(store: ObjectStore, key: string): Promise<ShardMetadata> {
  const uri = store.uri(key);
  const info = await store.head(key);
  if (!info) throw new NotFoundError(`${uri}: shard not found`, { subject: uri });
  const fail = (why: string, cause?: unknown): never => {
    throw new ShardFormatError(`${uri}: ${why}`, { subject: uri, cause });
  };
  const size = info.size;
  if (size < 12) fail(`file is ${size} bytes; a Parquet file has at least 12 (truncated?)`);
  const decoder = new TextDecoder();
  const headMagic = decoder.decode(await store.getRange(key, 0, 4));
  if (headMagic !== 'PAR1') fail(`starts with ${JSON.stringify(headMagic)}, expected the PAR1 magic (not Parquet?)`);
  const tail = await store.getRange(key, size - 8, 8);
  const tailMagic = decoder.decode(tail.subarray(4));
  if (tailMagic !== 'PAR1') fail(`ends with ${JSON.stringify(tailMagic)}, expected the PAR1 magic (truncated?)`);
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (footerLength > size - 12) fail(`footer length ${footerLength} exceeds the ${size - 12} bytes available`);
  let metadata: FileMetaData;
  try {
    // Fetch exactly the footer (hyparquet would otherwise read the last 512 KiB).
    metadata = await parquetMetadataAsync(storeAsyncBuffer(store, key, size), { initialFetchSize: footerLength + 8 });
  } catch (err) {
    return fail(`footer does not decode (${(err as Error).message})`, err);
  }
  const dataEnd = size - 8 - footerLength;
  let rows = 0;
  const rowGroups = metadata.row_groups.map((rg, g) => {
    for (const chunk of rg.columns) {
      const m = chunk.meta_data;
      if (!m) continue;
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      const end = start + Number(m.total_compressed_size);
      if (start < 4 || end > dataEnd) {
        fail(
          `row group ${g} column ${m.path_in_schema.join('.')} spans bytes ${start}..${end}, outside the data region 4..${dataEnd}`,
        );
      }
    }
    rows += Number(rg.num_rows);
    return {
      rows: Number(rg.num_rows),
      bytes: Number(rg.total_byte_size),
      compressedBytes: Number(rg.total_compressed_size ?? 0),
    };
  });
  if (rows !== Number(metadata.num_rows)) fail(`row groups hold ${rows} rows but the footer says ${metadata.num_rows}`);
  const top = new Map<string, (typeof metadata.schema)[number]>();
  for (let i = 1, depth = 0; i < metadata.schema.length; i++) {
    const el = metadata.schema[i];
    if (!el) continue;
    if (depth === 0) top.set(el.name, el);
    depth = depth === 0 ? (el.num_children ?? 0) : depth - 1 + (el.num_children ?? 0);
  }
  const columns: RecordColumn[] = [];
  for (const column of RECORD_COLUMNS) {
    const el = top.get(column);
    const want = columnElement(column);
    if (!el) {
      if (!OPTIONAL_COLUMNS.includes(column)) fail(`column ${column} is missing (not a Record shard?)`);
      continue;
    }
    if (el.type !== want.type) fail(`column ${column} has type ${el.type ?? 'group'}, expected ${want.type ?? 'group'}`);
    columns.push(column);
  }
  const versionText = metadata.key_value_metadata?.find((kv) => kv.key === SCHEMA_VERSION_KEY)?.value;
  const schemaVersion = versionText === undefined ? RECORD_SCHEMA_VERSION : Number(versionText);
  if (!Number.isInteger(schemaVersion) || schemaVersion > RECORD_SCHEMA_VERSION) {
    fail(`schema version ${versionText} is newer than this code understands (${RECORD_SCHEMA_VERSION})`);
  }
  return { uri, size, metadata, rows, rowGroups, schemaVersion, columns };
}

/** Converts one decoded row to the Record field types (timestamps as ms, missing lists as given). */
function toRecord(row: { [k: string]: unknown }): void {
  if (typeof row.fetched_at === 'bigint') row.fetched_at = Number(row.fetched_at);
}

/**
 * Streams a shard as batches of records, one batch per row group, fetching only the requested columns
 * (over ranged reads, so metadata columns of a remote shard are read without downloading its images).
 */
export async function* readShard<K extends RecordColumn = RecordColumn>(
  store: ObjectStore,
  key: string,
  opts: ReadShardOptions<K> = {},
): AsyncIterable<Pick<DataRecord, K>[]> {
  const meta = await readShardMetadata(store, key);
  const columns = opts.columns ?? (RECORD_COLUMNS as readonly RecordColumn[] as K[]);
  for (const c of columns) {
    if (!(RECORD_COLUMNS as readonly string[]).includes(c)) {
      throw new ShardFormatError(`${meta.uri}: unknown column ${String(c)}; valid: ${RECORD_COLUMNS.join(', ')}`, {
        subject: meta.uri,
      });
    }
  }
  // Optional columns an older shard lacks read back as null.
  const present = columns.filter((c) => meta.columns.includes(c));
  const absent = columns.filter((c) => !meta.columns.includes(c));
  const file = storeAsyncBuffer(store, key, meta.size);
  let rowStart = 0;
  for (const [g, group] of meta.rowGroups.entries()) {
    const rowEnd = rowStart + group.rows;
    let rows: { [k: string]: unknown }[] = Array.from({ length: present.length === 0 ? group.rows : 0 }, () => ({}));
    if (present.length > 0) {
      try {
        await parquetRead({
          file,
          metadata: meta.metadata,
          columns: present,
          rowStart,
          rowEnd,
          rowFormat: 'object',
          utf8: false,
          parsers: { timestampFromMilliseconds: (ms: bigint) => Number(ms) },
          onComplete: (r) => {
            rows = r;
          },
        });
      } catch (err) {
        throw new ShardFormatError(
          `${meta.uri}: row group ${g} (rows ${rowStart}..${rowEnd}) does not decode: ${(err as Error).message}`,
          { subject: meta.uri, cause: err },
        );
      }
    }
    if (rows.length !== group.rows) {
      throw new ShardFormatError(`${meta.uri}: row group ${g} decoded ${rows.length} rows, footer says ${group.rows}`, {
        subject: meta.uri,
      });
    }
    for (const row of rows) {
      toRecord(row);
      for (const c of absent) row[c] = null;
    }
    yield rows as Pick<DataRecord, K>[];
    rowStart = rowEnd;
  }
}
