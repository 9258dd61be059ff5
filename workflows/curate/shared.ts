// Contracts of the curate workflow shared by workflow code, activities and clients. Bundle-safe: types and
// constants only, no Node built-ins, no activity code.

/** Input of `curateWorkflow`: small and JSON-serializable (references and settings, never rows). */
export interface CurateInput {
  /** Raw dataset to curate: `name@version` or `name@latest`. */
  input: string;
  /** Curation config (see pipelines/curate/config.ts); validated by the first activity. */
  config: unknown;
  /** Name of the curated dataset to write. */
  name: string;
  /** Version to write; default: a hash of the input shards, config, eval sets and earlier versions. */
  version?: string;
  /** Evaluation datasets (`name@version`) to decontaminate against. */
  evalSets?: string[];
  /** Earlier curated versions (`name@version`) whose rows must not be repeated (their hash index is used). */
  dedupAgainst?: string[];
  /** Reuse per-shard results cached by (input shard sha256, shard-step config hash); default true. */
  incremental?: boolean;
  /** Shard activities in flight at once; default 4. */
  maxConcurrentShards?: number;
  /** Heartbeat timeout of shard activities in seconds; default 60. */
  heartbeatTimeoutSeconds?: number;
  /** Shard activities per workflow run before it continues as new (bounds history size); default 1000. */
  shardsPerRun?: number;
  /** Set by the workflow itself when it continues as new: where the previous run stopped. */
  resume?: CurateResume;
}

/** The state a curate run hands to its continuation. */
export interface CurateResume {
  plan: CuratePlanRef;
  phase: 'scoring' | 'materializing';
  /** First shard the continuation starts with. */
  next: number;
  shardsReused: number;
  shardsScored: number;
  /** The global step's result once it ran. */
  global: GlobalStepResult | null;
}

/** One input shard as the plan lists it. */
export interface CurateShardRef {
  index: number;
  key: string;
  sha256: string;
  rows: number;
}

/** What preparation fixed; stored as `plan.json` beside the run's outputs (activities load it by reference). */
export interface CuratePlanInfo {
  name: string;
  version: string;
  inputName: string;
  inputVersion: string;
  shards: CurateShardRef[];
  /** The validated config (defaults filled). */
  config: unknown;
  configHash: string;
  /** Hash of the parts of the config the per-shard step depends on (the cache key). */
  stepHash: string;
  evalSets: { name: string; version: string }[];
  dedupAgainst: { name: string; version: string }[];
  incremental: boolean;
  /** True when this version's manifest already exists (nothing to do). */
  committed: boolean;
}

/** The small reference to a stored plan that workflow history carries (never the shard list itself). */
export interface CuratePlanRef {
  name: string;
  version: string;
  /** Storage key of the plan JSON. */
  planKey: string;
  /** sha256 of the plan JSON: side outputs of an earlier run with another plan under the same version are not reused. */
  digest: string;
  shardCount: number;
  /** True when this version's manifest already exists (nothing to do). */
  committed: boolean;
}

/** Input of a per-shard activity. */
export interface CurateShardInput {
  plan: CuratePlanRef;
  shard: number;
}

/** Result of the per-shard scoring activity. */
export interface ScoreShardResult {
  shard: number;
  rows: number;
  passed: number;
  /** True when the cached result of an earlier run was reused. */
  reused: boolean;
}

/** Result of the global activity: totals only (decisions are written to storage). */
export interface GlobalStepResult {
  rowsIn: number;
  rowsOut: number;
  dropped: { [reason: string]: number };
  reportUri: string;
  reportHtmlUri: string;
  infeasible: { name: string; residual: number; eps: number; excess: number }[];
}

/** One written output shard (null when the input shard kept no rows). */
export interface MaterializeResult {
  shard: number;
  /** Digest of the plan that produced it. */
  digest?: string;
  info: {
    key: string;
    rows: number;
    bytes: number;
    sha256: string;
    by_status: { [k: string]: number };
    by_lang: { [k: string]: number };
  } | null;
}

/** Result of `curateWorkflow`. */
export interface CurateResult {
  name: string;
  version: string;
  manifestUri: string;
  rowsIn: number;
  rowsOut: number;
  shardsReused: number;
  shardsScored: number;
  reportUri: string;
}

/** Progress as answered by the `curateProgress` query. */
export interface CurateProgress {
  name: string;
  version: string | null;
  phase: 'preparing' | 'scoring' | 'planning' | 'materializing' | 'committing' | 'done';
  shardsTotal: number;
  shardsScored: number;
  shardsMaterialized: number;
}

/** Name of the progress query. */
export const CURATE_PROGRESS_QUERY = 'curateProgress';
/** Task queue of curation work. */
export const CURATE_TASK_QUEUE = 'etl';
