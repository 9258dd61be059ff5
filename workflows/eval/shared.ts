// Contracts of the evaluate workflow shared by workflow code, activities and clients. Bundle-safe: types and
// constants only.

/** Task queue of evaluation work. */
export const EVAL_TASK_QUEUE = 'eval';
/** Name of the progress query. */
export const EVAL_PROGRESS_QUERY = 'evalProgress';

/** Input of `evaluateWorkflow`: URIs and names only. */
export interface EvaluateInput {
  /**
   * Models: directories with config.json + model.safetensors (sigforge or HF layout), local paths or file:// / s3://
   * URIs; a training run's directory (holding `checkpoints/step-NNNNNNN/`) means its newest committed checkpoint.
   */
  models: string[];
  /**
   * Suite names (emoji, emoji-zeroshot, emoji-retrieval, emoji-rb, emoji-ab), suite file paths on the worker, or
   * suite objects (the CLI reads and validates files on the caller's machine and sends their content).
   */
  suites: (string | SuiteObject)[];
  /** Key prefix (under the worker's store) of the run's summary; default `eval/runs/<workflowId>`. */
  out?: string;
  /** Emoji benchmark options for the built-in suites. */
  emoji?: { style?: 'google' | 'twitter' | 'apple' | 'facebook'; languages?: string[]; maxClasses?: number };
  /** Evaluations in flight at once; default 2. */
  maxConcurrent?: number;
  /** tfjs backend on the worker (auto, wasm, cpu, tensorflow); default the worker's choice. */
  backend?: string;
  /** Evaluations per workflow run before it continues as new (bounds history size); default 500. */
  jobsPerRun?: number;
  /** Set by the workflow when it continues as new: the resolved jobs and the results so far. */
  resume?: { jobs: EvalJob[]; results: EvalJobResult[] };
}

/** A suite as JSON (validated by the activities; see model/eval/suite.ts). */
export interface SuiteObject {
  name: string;
  task: string;
  [k: string]: unknown;
}

/** One (model, suite) evaluation, as the workflow passes it to an activity. */
export interface EvalJob {
  modelUri: string;
  /** A validated suite object (small: names, templates, labels). */
  suite: SuiteObject;
  backend?: string;
}

/** The small summary of one evaluation. */
export interface EvalJobResult {
  modelUri: string;
  modelId: string;
  suite: string;
  task: string;
  /** URI of the full result JSON. */
  resultUri: string;
  /** Mean metrics over languages. */
  metrics: { [name: string]: number };
  /** True when a result for the same model, suite and code already existed. */
  reused: boolean;
}

/** Result of `evaluateWorkflow`. */
export interface EvaluateResult {
  summaryUri: string;
  results: EvalJobResult[];
}

/** Progress as answered by the query. */
export interface EvalProgress {
  phase: 'resolving' | 'evaluating' | 'summarizing' | 'done';
  done: number;
  total: number;
}
