// Reading curation inputs from storage: one shard's metadata columns, dataset references, an eval set's hashes.
import { readManifest, readShard, resolveDataset, type ObjectStore, type DataRecord } from '../../storage/index.js';
import {
  COLUMN_FIELDS,
  columnsFromRecords,
  concatColumns,
  type CurateColumns,
} from '../../pipelines/curate/columns.js';
import { type HashSet } from '../../pipelines/curate/dedup.js';
import { hashSetOf } from '../../pipelines/curate/summary-file.js';
import { beat } from './failures.js';

/** Reads the metadata columns (and optionally images) of one shard. */
export async function readShardColumns(
  store: ObjectStore,
  key: string,
  withImage: boolean,
): Promise<{ columns: CurateColumns; images: (Uint8Array | null)[] }> {
  const parts: CurateColumns[] = [];
  const images: (Uint8Array | null)[] = [];
  const columns = withImage ? [...COLUMN_FIELDS, 'image' as const] : [...COLUMN_FIELDS];
  let batch = 0;
  for await (const rows of readShard(store, key, { columns })) {
    parts.push(columnsFromRecords(rows));
    if (withImage) for (const r of rows as Pick<DataRecord, 'image'>[]) images.push(r.image);
    beat({ phase: 'read', batch: batch++ });
  }
  return { columns: concatColumns(parts), images };
}

/** Resolves `name@version|latest` references to concrete versions. */
export async function resolveDatasetRefs(
  store: ObjectStore,
  refs: string[],
): Promise<{ name: string; version: string }[]> {
  return await Promise.all(
    refs.map(async (r) => {
      const m = await resolveDataset(store, r);
      return { name: m.name, version: m.version };
    }),
  );
}

/** The sha256/phash set of a dataset version (an evaluation set). */
export async function datasetHashSet(store: ObjectStore, ev: { name: string; version: string }): Promise<HashSet> {
  const m = await readManifest(store, ev.name, ev.version);
  const parts: CurateColumns[] = [];
  for (const s of m.shards) {
    for await (const rows of readShard(store, s.key, { columns: ['id', 'sha256', 'phash', 'status'] })) {
      parts.push(
        columnsFromRecords(
          rows.map((r) => ({
            ...r,
            caption: '',
            lang: null,
            lang_score: null,
            width: null,
            height: null,
            attrs: null,
          })),
        ),
      );
    }
  }
  return hashSetOf(`${ev.name}@${ev.version}`, concatColumns(parts));
}
