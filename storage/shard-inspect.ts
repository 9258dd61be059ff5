import { type ObjectStore } from './object-store.js';
import { type DataRecord } from './record.js';
import { readShard, readShardMetadata } from './shard-reader.js';
import { RECORD_COLUMNS, type RecordColumn } from './shard-schema.js';

/** What `sigforge shards inspect` shows: layout, sizes, counts and a few rows without image bytes. */
export interface ShardInspection {
  uri: string;
  bytes: number;
  rows: number;
  schema_version: number;
  created_by: string | null;
  schema: { name: string; type: string; repetition: string; logical: string | null }[];
  row_groups: { rows: number; uncompressed_bytes: number; compressed_bytes: number }[];
  columns: { name: string; compressed_bytes: number; uncompressed_bytes: number; codec: string }[];
  by_status: { [status: string]: number };
  by_lang: { [lang: string]: number };
  samples: Omit<DataRecord, 'image'>[];
}

const NO_IMAGE = RECORD_COLUMNS.filter((c): c is Exclude<RecordColumn, 'image'> => c !== 'image');

/** Summarizes a shard reading only its footer and the status/lang columns (plus `samples` rows without images). */
export async function inspectShard(
  store: ObjectStore,
  key: string,
  opts: { samples?: number } = {},
): Promise<ShardInspection> {
  const meta = await readShardMetadata(store, key);
  const columns = new Map<string, { compressed_bytes: number; uncompressed_bytes: number; codec: string }>();
  for (const rg of meta.metadata.row_groups) {
    for (const chunk of rg.columns) {
      const m = chunk.meta_data;
      if (!m) continue;
      const name = m.path_in_schema[0] ?? '?';
      const c = columns.get(name) ?? { compressed_bytes: 0, uncompressed_bytes: 0, codec: m.codec };
      c.compressed_bytes += Number(m.total_compressed_size);
      c.uncompressed_bytes += Number(m.total_uncompressed_size);
      columns.set(name, c);
    }
  }
  const by_status: { [k: string]: number } = {};
  const by_lang: { [k: string]: number } = {};
  for await (const batch of readShard(store, key, { columns: ['status', 'lang'] })) {
    for (const r of batch) {
      by_status[r.status] = (by_status[r.status] ?? 0) + 1;
      const lang = r.lang ?? 'und';
      by_lang[lang] = (by_lang[lang] ?? 0) + 1;
    }
  }
  const want = opts.samples ?? 3;
  const samples: Omit<DataRecord, 'image'>[] = [];
  if (want > 0) {
    for await (const batch of readShard(store, key, { columns: NO_IMAGE })) {
      samples.push(...batch.slice(0, want - samples.length));
      if (samples.length >= want) break;
    }
  }
  return {
    uri: meta.uri,
    bytes: meta.size,
    rows: meta.rows,
    schema_version: meta.schemaVersion,
    created_by: meta.metadata.created_by ?? null,
    schema: meta.metadata.schema.slice(1).map((el) => ({
      name: el.name,
      type: el.type ?? 'group',
      repetition: el.repetition_type ?? 'REQUIRED',
      logical: el.logical_type?.type ?? el.converted_type ?? null,
    })),
    row_groups: meta.rowGroups.map((g) => ({
      rows: g.rows,
      uncompressed_bytes: g.bytes,
      compressed_bytes: g.compressedBytes,
    })),
    columns: [...columns.entries()].map(([name, c]) => ({ name, ...c })),
    by_status,
    by_lang,
    samples,
  };
}
