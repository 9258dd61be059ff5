// Contracts of the train workflow shared by workflow code, activities and clients. Bundle-safe: types and
// constants only, no Node built-ins, no activity code.
import type { StageProgress } from '../../model/run/trainer.js';

/** Task queue of training work (one training process per worker). */
export const TRAIN_TASK_QUEUE = 'train';

/** Input of `trainWorkflow`: small and JSON-serializable. */
export interface TrainInput {
  /** The run config (validated by the plan activity; see model/run/run-config.ts). */
  config: unknown;
  /** Curated dataset, `name@version` or `name@latest` (resolved once at planning). */
  data: string;
  /** Where the run lives: a key prefix under the worker's storage root (`runs/x`) or a URI inside that root. */
  out: string;
  /** Heartbeat timeout of a stage activity in seconds (how fast a dead worker's stage moves on); default 120. */
  heartbeatTimeoutSeconds?: number;
}

/** One planned stage (the full plan is recomputed from the config by the activity). */
export interface StageSummary {
  name: string;
  kind: string;
  startStep: number;
  endStep: number;
}

/** What planning fixed. */
export interface TrainPlan {
  /** Key prefix of the run in the worker's store. */
  run: string;
  /** Full URI of the run. */
  runUri: string;
  /** Resolved dataset version. */
  data: { name: string; version: string };
  /** The validated config (JSON). */
  config: unknown;
  stages: StageSummary[];
}

/** Input of one stage activity. */
export interface StageInput {
  plan: TrainPlan;
  stage: string;
}

/** Small result of one stage activity. */
export interface StageOutcome {
  stage: string;
  step: number;
  finished: boolean;
  checkpoint: string;
  loss: number | null;
  dataWaitShare: number;
}

/** Heartbeat details of a running stage (also what `sigforge status` shows): the trainer's progress report. */
export type StageHeartbeat = StageProgress;

/** Answer of the `progress` query. */
export interface TrainProgress {
  state: 'planning' | 'training' | 'paused' | 'stopping' | 'stopped' | 'evaluating' | 'done';
  run: string | null;
  stage: string | null;
  stages: StageSummary[];
  completed: StageOutcome[];
}

/** Result of `trainWorkflow`. */
export interface TrainResult {
  run: string;
  stages: StageOutcome[];
  /** True when stopped by `stopAfterCheckpoint` before the last stage finished. */
  stopped: boolean;
}

/** Input of the per-stage evaluation hook (a child workflow). */
export interface StageEvalInput {
  run: string;
  stage: string;
  checkpoint: string;
}

export const TRAIN_PROGRESS_QUERY = 'progress';
export const PAUSE_SIGNAL = 'pause';
export const RESUME_SIGNAL = 'resume';
export const STOP_AFTER_CHECKPOINT_SIGNAL = 'stopAfterCheckpoint';
