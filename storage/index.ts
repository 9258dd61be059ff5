// The public surface of storage/: what other areas import.
export * from './errors.js';
export { validateKey, joinKey } from './keys.js';
export type { BodyChunk, ObjectStore, ObjectInfo, ListEntry, PutBody, PutResult, StoreOptions, S3Options } from './object-store.js';
export { openStore, closeStore } from './open-store.js';
export { copyObjects, type CopyResult } from './copy.js';
export { initStore, StoreInitError, type StoreInitReport } from './store-init.js';
export { createStores, isLocalPath, LOCAL_STORES, resolveRef, type StoreSettings, type Stores } from './stores.js';
export { parseRootUri, splitObjectUri, type ParsedRoot } from './uri.js';
export * from './record.js';
export { writeShard, type ShardInfo, type WriteShardOptions } from './shard-writer.js';
export {
  readShard,
  readShardMetadata,
  storeAsyncBuffer,
  type ReadShardOptions,
  type ShardMetadata,
} from './shard-reader.js';
export { RECORD_COLUMNS, type RecordColumn, recordParquetSchema, SCHEMA_VERSION_KEY } from './shard-schema.js';
export { checkDatasetPart, datasetKeys } from './dataset-keys.js';
export {
  buildManifest,
  commitManifest,
  LineageSchema,
  ManifestSchema,
  ManifestShardSchema,
  parseManifest,
  readManifest,
  type Lineage,
  type Manifest,
  type ManifestInput,
  type ManifestShard,
} from './manifest.js';
export {
  datasetLineage,
  listDatasets,
  parseDatasetRef,
  resolveDataset,
  verifyDataset,
  type LineageNode,
  type SkippedVersion,
} from './catalog.js';
export { inspectShard, type ShardInspection } from './shard-inspect.js';
