// The train workflow: plan, then each stage as one long heartbeating activity on the `train` queue that resumes
// from its newest checkpoint when retried; pause / resume / stopAfterCheckpoint cancel the running stage, which
// checkpoints before it stops. Evaluation of a run is evaluateWorkflow's (pipelineWorkflow runs it after training).
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { NON_RETRYABLE_ERRORS } from '../shared.js';
import type { TrainActivities } from './activities.js';
import {
  PAUSE_SIGNAL,
  RESUME_SIGNAL,
  STOP_AFTER_CHECKPOINT_SIGNAL,
  type StageEvalInput,
  type StageOutcome,
  TRAIN_PROGRESS_QUERY,
  TRAIN_TASK_QUEUE,
  type TrainInput,
  type TrainProgress,
  type TrainResult,
} from './shared.js';

export const trainProgressQuery = defineQuery<TrainProgress>(TRAIN_PROGRESS_QUERY);
export const pauseSignal = defineSignal(PAUSE_SIGNAL);
export const resumeSignal = defineSignal(RESUME_SIGNAL);
export const stopAfterCheckpointSignal = defineSignal(STOP_AFTER_CHECKPOINT_SIGNAL);

/** Patch id: training no longer starts the no-op stageEvaluationWorkflow after each stage. */
export const NO_STAGE_EVALUATION_PATCH = 'train-no-stage-evaluation';

/**
 * The no-op child that trainWorkflow started after each stage before NO_STAGE_EVALUATION_PATCH; kept only so histories
 * and executions from before it replay and finish. Remove it with the patch's old branch (CONTRIBUTING.md).
 */
export async function stageEvaluationWorkflow(input: StageEvalInput): Promise<StageEvalInput & { evaluated: boolean }> {
  return { ...input, evaluated: false };
}

/** Trains a run's curriculum stage by stage; returns every stage's outcome. */
export async function trainWorkflow(input: TrainInput): Promise<TrainResult> {
  const short = proxyActivities<TrainActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
  });
  const long = proxyActivities<TrainActivities>({
    taskQueue: TRAIN_TASK_QUEUE,
    startToCloseTimeout: '30 days',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds ?? 120} seconds`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE_ERRORS },
  });
  const progress: TrainProgress = { state: 'planning', run: null, stage: null, stages: [], completed: [] };
  let paused = false;
  let stop = false;
  let scope: CancellationScope | null = null;
  setHandler(trainProgressQuery, () => progress);
  setHandler(pauseSignal, () => {
    paused = true;
    scope?.cancel();
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  setHandler(stopAfterCheckpointSignal, () => {
    stop = true;
    scope?.cancel();
  });

  const plan = await short.planTrain(input);
  progress.run = plan.runUri;
  progress.stages = plan.stages;
  for (const stage of plan.stages) {
    let outcome: StageOutcome | null = null;
    while (!outcome?.finished) {
      progress.state = paused ? 'paused' : 'training';
      await condition(() => !paused || stop);
      if (stop) {
        progress.state = 'stopped';
        return { run: plan.runUri, stages: progress.completed, stopped: true };
      }
      progress.state = 'training';
      progress.stage = stage.name;
      scope = new CancellationScope();
      try {
        outcome = await scope.run(() => long.trainStage({ plan, stage: stage.name }));
      } catch (err) {
        // A cancelled stage checkpointed before stopping; anything else is a real failure.
        if (!(isCancellation(err) && (paused || stop))) throw err;
        progress.state = stop ? 'stopping' : 'paused';
      } finally {
        scope = null;
      }
    }
    progress.completed.push(outcome);
    if (!patched(NO_STAGE_EVALUATION_PATCH)) {
      // Executions recorded before the patch started this no-op child here; replaying them must do the same.
      progress.state = 'evaluating';
      await executeChild(stageEvaluationWorkflow, {
        args: [{ run: plan.runUri, stage: stage.name, checkpoint: outcome.checkpoint }],
        workflowId: `${workflowInfo().workflowId}-eval-${stage.name}`,
      });
    }
  }
  progress.state = 'done';
  return { run: plan.runUri, stages: progress.completed, stopped: false };
}
