import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { StorageError } from './errors.js';
import { type ObjectStore } from './object-store.js';
import { type DataRecord, RECORD_SCHEMA_VERSION } from './record.js';
import { checkRecord } from './record-check.js';
import { RECORD_COLUMNS, type RecordColumn, recordParquetSchema, SCHEMA_VERSION_KEY } from './shard-schema.js';

/** What a written shard holds; manifests list one per shard. */
export interface ShardInfo {
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
  by_status: { [status: string]: number };
  /** Rows per language; rows without a language count as `und`. */
  by_lang: { [lang: string]: number };
}

/** Options of {@link writeShard}. */
export interface WriteShardOptions {
  /** Flush a row group once its rows hold this many bytes (images plus text); default 64 MiB. */
  rowGroupBytes?: number;
  /** Upper bound on rows per row group; default 50,000. */
  rowGroupRows?: number;
  /** Codec for every column but `image` (JPEG/WebP bytes do not compress); default SNAPPY. */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  /** Extra key-value metadata stored in the Parquet footer. */
  metadata?: { [key: string]: string };
}

const MIB = 1024 * 1024;
/** Appends at least this large are kept by reference instead of copied (page bodies: image bytes, mostly). */
const BY_REFERENCE = 64 * 1024;
const SCRATCH = MIB;

/**
 * The Parquet writer's output as a list of byte segments: small appends (page headers, levels, footer) are packed
 * into scratch buffers; large appends (a page's encoded values, already a fresh buffer hyparquet-writer never touches
 * again) are kept by reference. So image bytes are copied once (into their page), not again into one big file buffer.
 * Handed-out segments are never written again: the scratch buffer only grows forward, and a full one is replaced.
 */
class SegmentWriter extends ByteWriter {
  private segments: Uint8Array[] = [];
  private segStart = 0;

  constructor() {
    super(SCRATCH);
  }

  override ensure(size: number): void {
    if (this.index + size <= this.buffer.byteLength) return;
    this.cut();
    this.buffer = new ArrayBuffer(Math.max(SCRATCH, size));
    this.view = new DataView(this.buffer);
    this.index = 0;
    this.segStart = 0;
  }

  override appendBytes(value: Uint8Array): void {
    if (value.byteLength < BY_REFERENCE) {
      super.appendBytes(value);
      return;
    }
    this.cut();
    this.segments.push(value);
    this.offset += value.byteLength;
  }

  /** Appends bytes by reference, whatever their size (the caller never changes them afterwards). */
  appendRef(value: Uint8Array): void {
    this.cut();
    this.segments.push(value);
    this.offset += value.byteLength;
  }

  /** The segments written since the last take, in file order. */
  take(): Uint8Array[] {
    this.cut();
    const out = this.segments;
    this.segments = [];
    return out;
  }

  private cut(): void {
    if (this.index > this.segStart) this.segments.push(new Uint8Array(this.buffer, this.segStart, this.index - this.segStart));
    this.segStart = this.index;
  }
}

/** Rough byte size of a row's payload, to cut row groups by bytes. */
function rowBytes(r: DataRecord): number {
  return (r.image?.byteLength ?? 0) + r.caption.length + r.url.length + r.id.length + (r.extra?.length ?? 0) + 64;
}

/** Transposes rows into hyparquet-writer column sources, all but `image` (written by {@link writeImageChunk}). */
function columnsOf(rows: DataRecord[], codec: 'SNAPPY' | 'UNCOMPRESSED') {
  return RECORD_COLUMNS.filter((name) => name !== 'image').map((name) => {
    const data = rows.map((r) => (name === 'fetched_at' ? BigInt(r.fetched_at) : (r[name] ?? null)));
    return { name, data, codec };
  });
}

/** A column chunk's metadata, as hyparquet-writer's own hyparquet types spell it. */
type ColumnChunk = ParquetWriter['row_groups'][number]['columns'][number];

const IMAGE_INDEX = RECORD_COLUMNS.indexOf('image');
const IMAGE_PAGE_BYTES = MIB;

/**
 * Writes the `image` column chunk of one row group without copying image bytes: data pages v2, PLAIN, uncompressed
 * (JPEG/WebP bytes do not compress), no statistics (bytes are unique), definition levels for failed rows without an
 * image. The page bodies are gathered by reference (4-byte length, then the image, per value), so the bytes go from
 * the record straight to the store's writev.
 */
function writeImageChunk(out: SegmentWriter, images: readonly (Uint8Array | null)[]): ColumnChunk {
  const start = out.offset;
  let uncompressed = 0;
  for (let i = 0; i < images.length; ) {
    let j = i;
    let bytes = 0;
    while (j < images.length && (j === i || bytes < IMAGE_PAGE_BYTES)) bytes += 4 + (images[j++]?.byteLength ?? 0);
    const defs: number[] = [];
    let nulls = 0;
    for (let k = i; k < j; k++) {
      const present = images[k] !== null && images[k] !== undefined;
      defs.push(present ? 1 : 0);
      if (!present) nulls++;
    }
    const levels = new ByteWriter(64);
    const levelBytes = writeRleBitPackedHybrid(levels, defs, 1);
    const lengths = new Uint8Array(4 * (j - i - nulls));
    const view = new DataView(lengths.buffer);
    const dataBytes = bytes - 4 * nulls;
    const headerStart = out.offset;
    writePageHeader(out, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: levelBytes + dataBytes,
      compressed_page_size: levelBytes + dataBytes,
      data_page_header_v2: {
        num_values: j - i,
        num_nulls: nulls,
        num_rows: j - i,
        encoding: 'PLAIN',
        definition_levels_byte_length: levelBytes,
        repetition_levels_byte_length: 0,
        is_compressed: false,
      },
    });
    uncompressed += out.offset - headerStart + levelBytes + dataBytes;
    out.appendBytes(levels.getBytes());
    let v = 0;
    for (let k = i; k < j; k++) {
      const img = images[k];
      if (img === null || img === undefined) continue;
      view.setUint32(4 * v, img.byteLength, true);
      out.appendRef(lengths.subarray(4 * v, 4 * v + 4));
      out.appendRef(img);
      v++;
    }
    i = j;
  }
  return {
    file_offset: BigInt(start),
    meta_data: {
      type: 'BYTE_ARRAY',
      encodings: ['PLAIN', 'RLE'],
      path_in_schema: ['image'],
      codec: 'UNCOMPRESSED',
      num_values: BigInt(images.length),
      total_uncompressed_size: BigInt(uncompressed),
      total_compressed_size: BigInt(out.offset - start),
      data_page_offset: BigInt(start),
    },
  };
}

/**
 * Encodes records as Parquet chunks, one row group at a time, so memory is bounded by the row-group size.
 * Tallies are filled in as rows pass.
 */
async function* encodeShard(
  rows: Iterable<DataRecord> | AsyncIterable<DataRecord>,
  shard: string,
  opts: WriteShardOptions,
  tally: Pick<ShardInfo, 'rows' | 'by_status' | 'by_lang'>,
): AsyncIterable<readonly Uint8Array[]> {
  const groupBytes = opts.rowGroupBytes ?? 64 * MIB;
  const groupRows = opts.rowGroupRows ?? 50_000;
  const codec = opts.codec ?? 'SNAPPY';
  const out = new SegmentWriter();
  const kv = { [SCHEMA_VERSION_KEY]: String(RECORD_SCHEMA_VERSION), ...opts.metadata };
  const writer = new ParquetWriter({
    writer: out,
    schema: recordParquetSchema(),
    codec,
    kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    createdBy: 'sigforge (hyparquet-writer)',
  });
  let batch: DataRecord[] = [];
  let batchBytes = 0;
  const flush = (): Uint8Array[] => {
    // The image chunk first, then hyparquet-writer's row group of the other columns, whose metadata then gets the
    // image chunk at its schema position (column chunks may lie anywhere in the file; metadata order is schema order).
    const groupStart = out.offset;
    const image = writeImageChunk(out, batch.map((r) => r.image));
    const result = writer.write({ columnData: columnsOf(batch, codec), rowGroupSize: batch.length });
    if (result instanceof Promise) throw new StorageError('hyparquet-writer unexpectedly went async');
    const group = writer.row_groups.at(-1);
    if (!group) throw new StorageError('hyparquet-writer wrote no row group');
    // Leaf columns: nested columns (alt_captions, boxes, attrs) have several; image goes before the first leaf of
    // the column after it.
    const at = group.columns.findIndex((c) => RECORD_COLUMNS.indexOf(c.meta_data?.path_in_schema[0] as RecordColumn) > IMAGE_INDEX);
    group.columns.splice(at < 0 ? group.columns.length : at, 0, image);
    group.total_byte_size += image.meta_data!.total_uncompressed_size;
    group.total_compressed_size = BigInt(out.offset - groupStart);
    batch = [];
    batchBytes = 0;
    return out.take();
  };
  for await (const r of rows) {
    checkRecord(r, tally.rows, shard);
    tally.rows++;
    tally.by_status[r.status] = (tally.by_status[r.status] ?? 0) + 1;
    const lang = r.lang ?? 'und';
    tally.by_lang[lang] = (tally.by_lang[lang] ?? 0) + 1;
    batch.push(r);
    batchBytes += rowBytes(r);
    if (batchBytes >= groupBytes || batch.length >= groupRows) yield flush();
  }
  if (batch.length > 0) yield flush();
  void writer.finish();
  yield out.take();
}

/**
 * Writes records as one Parquet shard at `key`, streaming row groups to the store; the object appears only
 * when complete (atomic put), so a failed or interrupted write leaves nothing visible.
 */
export async function writeShard(
  store: ObjectStore,
  key: string,
  rows: Iterable<DataRecord> | AsyncIterable<DataRecord>,
  opts: WriteShardOptions = {},
): Promise<ShardInfo> {
  const tally = { rows: 0, by_status: {}, by_lang: {} };
  const { size, sha256 } = await store.put(key, encodeShard(rows, store.uri(key), opts, tally));
  return { key, rows: tally.rows, bytes: size, sha256, by_status: tally.by_status, by_lang: tally.by_lang };
}
