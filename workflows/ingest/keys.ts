/**
 * Object keys of an ingest run. Shard and manifest keys are storage's (`datasetKeys`); partition summaries and
 * resumable chunks live beside them and are not part of the dataset (a version exists iff its manifest exists).
 */
import { datasetKeys } from '../../storage/index.js';

const pad = (n: number): string => String(n).padStart(5, '0');

/**
 * Key of partition `i`'s shard as one writer writes it: `…/shards/part-00000-<writer>.parquet`. Two writers of the
 * same partition (a second run of the same ingest, a timed-out attempt still running beside its retry) never write
 * the same key, so the shard a summary names is always the bytes that summary hashed.
 */
export const writerShardKey = (name: string, version: string, i: number, writer: string): string => {
  if (!/^[0-9a-z]{1,32}$/.test(writer)) throw new Error(`writer token ${JSON.stringify(writer)}: 1-32 lowercase letters or digits`);
  return datasetKeys(name, version).shard(i).replace(/\.parquet$/, `-${writer}.parquet`);
};

/** Key of partition `i`'s summary (written after its shard; its presence marks the partition done). */
export const summaryKey = (name: string, version: string, i: number): string =>
  `${datasetKeys(name, version).prefix}/parts/part-${pad(i)}.json`;

/** Prefix of partition `i`'s resumable chunks (deleted once the shard is written). */
export const chunkPrefix = (name: string, version: string, configHash: string, i: number): string =>
  `${datasetKeys(name, version).prefix}/work/${configHash.slice(0, 16)}/part-${pad(i)}/`;

/** Key of chunk `c` of partition `i`. */
export const chunkKey = (name: string, version: string, configHash: string, i: number, c: number): string =>
  `${chunkPrefix(name, version, configHash, i)}chunk-${pad(c)}.parquet`;

/** Key of the source's rows per file (tar shards), learned once by the plan so partitions skip earlier files. */
export const sourceFilesKey = (name: string, version: string): string => `${datasetKeys(name, version).prefix}/parts/source-files.json`;
