import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { StorageError } from './errors.js';
import { type ObjectStore } from './object-store.js';
import { type Record, RECORD_SCHEMA_VERSION } from './record.js';
import { checkRecord } from './record-check.js';
import { RECORD_COLUMNS, recordParquetSchema, SCHEMA_VERSION_KEY } from './shard-schema.js';

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

/** Rough byte size of a row's payload, to cut row groups by bytes. */
function rowBytes(r: Record): number {
  return (r.image?.byteLength ?? 0) + r.caption.length + r.url.length + r.id.length + 64;
}

/** Transposes rows into hyparquet-writer column sources. */
function columnsOf(rows: Record[], codec: 'SNAPPY' | 'UNCOMPRESSED') {
  return RECORD_COLUMNS.map((name) => {
    const data = rows.map((r) => (name === 'fetched_at' ? BigInt(r.fetched_at) : r[name]));
    if (name === 'image') {
      // Plain encoding, no compression and no statistics: image bytes are already compressed and unique.
      return { name, data, encoding: 'PLAIN' as const, codec: 'UNCOMPRESSED' as const, statistics: false };
    }
    return { name, data, codec };
  });
}

/**
 * Encodes records as Parquet chunks, one row group at a time, so memory is bounded by the row-group size.
 * Tallies are filled in as rows pass.
 */
async function* encodeShard(
  rows: Iterable<Record> | AsyncIterable<Record>,
  shard: string,
  opts: WriteShardOptions,
  tally: Pick<ShardInfo, 'rows' | 'by_status' | 'by_lang'>,
): AsyncIterable<Uint8Array> {
  const groupBytes = opts.rowGroupBytes ?? 64 * MIB;
  const groupRows = opts.rowGroupRows ?? 50_000;
  const codec = opts.codec ?? 'SNAPPY';
  let capacity = Math.min(groupBytes + 4 * MIB, 512 * MIB);
  const out = new ByteWriter(capacity);
  const kv = { [SCHEMA_VERSION_KEY]: String(RECORD_SCHEMA_VERSION), ...opts.metadata };
  const writer = new ParquetWriter({
    writer: out,
    schema: recordParquetSchema(),
    codec,
    kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    createdBy: 'sigforge (hyparquet-writer)',
  });
  // Hands over the bytes written so far without copying, and gives the writer a fresh buffer.
  const take = (): Uint8Array => {
    const bytes = new Uint8Array(out.buffer, 0, out.index);
    capacity = Math.max(capacity, out.buffer.byteLength);
    // Uninitialized memory: every byte is written before it is handed over, so zero-filling is wasted work.
    out.buffer = Buffer.allocUnsafeSlow(capacity).buffer as ArrayBuffer;
    out.view = new DataView(out.buffer);
    out.index = 0;
    return bytes;
  };
  let batch: Record[] = [];
  let batchBytes = 0;
  const flush = (): Uint8Array => {
    const result = writer.write({ columnData: columnsOf(batch, codec), rowGroupSize: batch.length });
    if (result instanceof Promise) throw new StorageError('hyparquet-writer unexpectedly went async');
    batch = [];
    batchBytes = 0;
    return take();
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
  yield take();
}

/**
 * Writes records as one Parquet shard at `key`, streaming row groups to the store; the object appears only
 * when complete (atomic put), so a failed or interrupted write leaves nothing visible.
 */
export async function writeShard(
  store: ObjectStore,
  key: string,
  rows: Iterable<Record> | AsyncIterable<Record>,
  opts: WriteShardOptions = {},
): Promise<ShardInfo> {
  const tally = { rows: 0, by_status: {}, by_lang: {} };
  const { size, sha256 } = await store.put(key, encodeShard(rows, store.uri(key), opts, tally));
  return { key, rows: tally.rows, bytes: size, sha256, by_status: tally.by_status, by_lang: tally.by_lang };
}
