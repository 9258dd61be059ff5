// Contracts of the pipeline workflow (ingest → curate → train → evaluate → report). Bundle-safe: types only.
import type { CurateInput, CurateResult } from '../curate/shared.js';
import type { EvaluateInput, EvaluateResult } from '../eval/shared.js';
import type { IngestInput, IngestResult } from '../ingest/shared.js';
import type { TrainInput, TrainResult } from '../train/shared.js';

/** Input of `pipelineWorkflow`: each stage's own input, less what earlier stages produce. */
export interface PipelineInput {
  ingest: IngestInput;
  curate: Omit<CurateInput, 'input'>;
  train: Omit<TrainInput, 'data'>;
  evaluate: Omit<EvaluateInput, 'models'>;
  /** Where the report goes: a key prefix under the eval worker's storage root; default `reports/<workflowId>`. */
  report?: { out?: string; title?: string };
}

/** Stage names, in order. */
export const PIPELINE_STAGES = ['ingest', 'curate', 'train', 'evaluate', 'report'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** One stage as the progress query reports it. */
export interface StageStatus {
  stage: PipelineStage;
  state: 'pending' | 'running' | 'done' | 'failed';
  /** Child workflow id (for `sigforge status <id>` and the Temporal UI); null for the report activity. */
  workflowId: string | null;
  /** A one-line summary once done. */
  summary: string | null;
}

/** Answer of the `pipelineProgress` query. */
export interface PipelineProgress {
  stage: PipelineStage | 'done';
  stages: StageStatus[];
}

/** Result of `pipelineWorkflow`: each stage's result and the report's URI. */
export interface PipelineResult {
  ingest: IngestResult;
  curate: CurateResult;
  train: TrainResult;
  evaluate: EvaluateResult;
  reportUri: string;
}

/** Name of the progress query. */
export const PIPELINE_PROGRESS_QUERY = 'pipelineProgress';
