// Contracts of the ingest workflow shared by workflow code, activities and clients. Bundle-safe: types and
// constants only, no Node built-ins, no activity code.

/** Column settings of a source (see pipelines/ingest/sources/types.ts). */
export interface SourceColumns {
  urlColumn?: string;
  captionColumns?: string[];
  extraColumns?: string[];
  /** Column with each caption's language as the source gives it (kept in `lang_given`). */
  langColumn?: string;
  /** Languages the source declares (ISO 639-1): language ID guesses only among them. */
  languages?: string[];
}

/** Input of `ingestWorkflow`. Everything is small and JSON-serializable: URIs and settings, never bytes. */
export interface IngestInput {
  /** Source URI (local path, file:// or s3://bucket/key URI); omit when `retryFailed` is given. */
  source?: string;
  /** Source format name (csv, tsv, jsonl, parquet, folder, webdataset, img2dataset); detected when omitted. */
  format?: string;
  /** Column names for tabular sources; `extraColumns` are kept in each record's `extra` (sidecar .json keys for tars and folders). */
  sourceOptions?: SourceColumns;
  /** Storage root the caller expects; the worker refuses to run when its own root differs. */
  root?: string;
  /** Dataset name to write. */
  name: string;
  /** Version to write; default: a hash of the inputs and settings, so reruns are idempotent. */
  version?: string;
  /** `name@version` of a raw dataset whose retryable failures to fetch again (everything else is copied). */
  retryFailed?: string;
  /** Fetcher settings (see pipelines/ingest/fetcher.ts); the SSRF allow-list is the worker's, not the caller's. */
  fetch?: { [key: string]: unknown };
  /** Image settings (see pipelines/ingest/image.ts). */
  image?: { [key: string]: unknown };
  /** Rows per partition (one activity and one shard each); default 2000. */
  partitionRows?: number;
  /** Rows per resumable chunk inside a partition; default 500. */
  chunkRows?: number;
  /** Partitions in flight at once; default 4. */
  maxConcurrentPartitions?: number;
  /** Activity heartbeat timeout in seconds (how fast a dead worker's partition moves on); default 60. */
  heartbeatTimeoutSeconds?: number;
  /** Partitions started per workflow run before continuing as new; default 200. */
  partitionsPerRun?: number;
}

/** What planning fixed: everything a partition activity needs to do its slice. */
export interface IngestPlan {
  name: string;
  version: string;
  source: string;
  format: string | null;
  sourceOptions: SourceColumns;
  fetch: { [key: string]: unknown };
  image: { [key: string]: unknown };
  partitionRows: number;
  chunkRows: number;
  totalRows: number;
  partitions: number;
  /** Hash of the inputs and settings; a partition summary with the same hash means the partition is done. */
  configHash: string;
  /** `name@version` retried, or null for a fresh ingest. */
  retryOf: string | null;
  /** True when a manifest for this version already exists (nothing to do). */
  committed: boolean;
  /** Key of the source's rows per file (multi-file sources such as tar shards), or null / absent. */
  sourceFilesKey?: string | null;
}

/** State carried across continue-as-new. */
export interface IngestState {
  plan: IngestPlan;
  next: number;
  rows: number;
  ok: number;
}

/** Input of one partition activity. */
export interface PartitionInput {
  plan: IngestPlan;
  partition: number;
}

/** Small result of one partition: counts only. */
export interface PartitionResult {
  partition: number;
  rows: number;
  ok: number;
  /** True when an earlier run had already written this partition. */
  reused: boolean;
}

/** Result of `ingestWorkflow`. */
export interface IngestResult {
  name: string;
  version: string;
  manifestUri: string;
  rows: number;
  ok: number;
  successRate: number;
  byStatus: { [status: string]: number };
}

/** Progress as answered by the `ingestProgress` query. */
export interface IngestProgress {
  name: string;
  version: string | null;
  partitionsDone: number;
  partitionsTotal: number;
  rowsDone: number;
  rowsTotal: number;
  ok: number;
  phase: 'planning' | 'fetching' | 'committing' | 'done';
}

/** Name of the progress query. */
export const INGEST_PROGRESS_QUERY = 'ingestProgress';
/** Task queue of ingest work. */
export const INGEST_TASK_QUEUE = 'etl';
