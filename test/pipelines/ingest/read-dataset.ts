import { readManifest, readShard, type ObjectStore, type DataRecord } from '../../../storage/index.js';

/** Reads every record of a dataset version, shard by shard, in order. */
export async function readDataset(store: ObjectStore, name: string, version: string): Promise<DataRecord[]> {
  const m = await readManifest(store, name, version);
  const out: DataRecord[] = [];
  for (const s of m.shards) for await (const batch of readShard(store, s.key)) out.push(...batch);
  return out;
}
