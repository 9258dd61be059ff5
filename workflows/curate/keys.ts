// Storage keys of curation's intermediate and side outputs (the curated shards use storage's dataset keys).

/** Cached per-shard result, keyed by the input shard's sha256 and the shard-step config hash. */
export function cacheKey(stepHash: string, shardSha256: string): string {
  return `curation/cache/${stepHash}/${shardSha256}.parquet`;
}

/** Prefix of one curation run's side outputs. */
export function runPrefix(name: string, version: string): string {
  return `curation/runs/${name}/${version}`;
}

/** The run's plan (input shards, validated config, hashes). */
export function planKey(name: string, version: string): string {
  return `${runPrefix(name, version)}/plan.json`;
}

/** Decisions (kept ids, weights, merged captions, attributes) for one input shard. */
export function decisionsKey(name: string, version: string, shard: number): string {
  return `${runPrefix(name, version)}/decisions/part-${String(shard).padStart(5, '0')}.json`;
}

/** Record of a materialized output shard (lets a retried run skip it). */
export function materializedKey(name: string, version: string, shard: number): string {
  return `${runPrefix(name, version)}/materialized/part-${String(shard).padStart(5, '0')}.json`;
}

/** The curation report (JSON and HTML). */
export function reportKeys(name: string, version: string): { json: string; html: string } {
  return { json: `${runPrefix(name, version)}/report.json`, html: `${runPrefix(name, version)}/report.html` };
}

/** Hash index (Parquet) of a curated version's rows, for dedup of later versions against it. */
export function hashIndexKey(name: string, version: string): string {
  return `curation/index/${name}/${version}.parquet`;
}

/** Folder of a curated version's hash index parts (the sharded global step writes one per input shard). */
export function hashIndexDir(name: string, version: string): string {
  return `curation/index/${name}/${version}`;
}

/** One input shard's part of a curated version's hash index. */
export function hashIndexPartKey(name: string, version: string, shard: number): string {
  return `${hashIndexDir(name, version)}/part-${String(shard).padStart(5, '0')}.parquet`;
}

/** Prefix of the sharded global step's stage files (removed when the step finishes). */
export function globalStagePrefix(name: string, version: string): string {
  return `${runPrefix(name, version)}/global`;
}
