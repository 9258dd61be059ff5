// The curate workflow: prepare, score every input shard in parallel (cached), a barrier, the global step
// (dedup, decontamination, language mix, M4), materialize every shard in parallel, then commit the manifest
// last. Deterministic and thin: activities do the work. After `shardsPerRun` shard activities (or when Temporal
// suggests it) a run continues as new with its position, so history stays bounded for any shard count.
import { continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { slidingWindow } from '../sliding-window.workflow.js';
import type { CurateActivities } from './activities.js';
import {
  CURATE_PROGRESS_QUERY,
  type CurateInput,
  type CurateProgress,
  type CurateResult,
  type CurateResume,
} from './shared.js';

/** Query answering the run's progress. */
export const curateProgressQuery = defineQuery<CurateProgress>(CURATE_PROGRESS_QUERY);

function activities(input: CurateInput) {
  const short = proxyActivities<CurateActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
  });
  const long = proxyActivities<CurateActivities>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds ?? 60} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  return { short, long };
}

/** Curates a raw dataset version into a curated version; returns its summary. */
export async function curateWorkflow(input: CurateInput): Promise<CurateResult> {
  const { short, long } = activities(input);
  const progress: CurateProgress = {
    name: input.name,
    version: null,
    phase: 'preparing',
    shardsTotal: 0,
    shardsScored: 0,
    shardsMaterialized: 0,
  };
  setHandler(curateProgressQuery, () => progress);

  let state: CurateResume;
  if (input.resume) state = input.resume;
  else {
    const plan = await short.prepareCuration(input);
    if (plan.committed) {
      Object.assign(progress, { version: plan.version, shardsTotal: plan.shardCount, phase: 'done' });
      return await short.commitCuration({ plan, global: null });
    }
    state = { plan, phase: 'scoring', next: 0, shardsReused: 0, shardsScored: 0, global: null };
  }
  const { plan } = state;
  progress.version = plan.version;
  progress.shardsTotal = plan.shardCount;
  const window = Math.max(1, input.maxConcurrentShards ?? 4);
  // Shard activities left in this run's history budget.
  let budget = Math.max(1, input.shardsPerRun ?? 1000);
  const stop = (): boolean => budget <= 0 || workflowInfo().continueAsNewSuggested;
  const span = (): number => Math.min(plan.shardCount, state.next + Math.max(1, budget));
  // Runs the current phase's shard activities from state.next on, a budget-sized slice at a time; true when the run
  // must continue as new (state.next says where the next run starts).
  const shardsInSlices = async <T>(task: (shard: number) => Promise<T>, onDone: (r: T) => void): Promise<boolean> => {
    while (state.next < plan.shardCount) {
      if (stop()) return true;
      const to = span();
      await slidingWindow(state.next, to, window, task, onDone);
      budget -= to - state.next;
      state.next = to;
    }
    return false;
  };

  if (state.phase === 'scoring') {
    progress.phase = 'scoring';
    progress.shardsScored = state.next;
    const paused = await shardsInSlices(
      (shard) => long.scoreShard({ plan, shard }),
      (r) => {
        progress.shardsScored++;
        if (r.reused) state.shardsReused++;
        else state.shardsScored++;
      },
    );
    if (paused) return await continueAsNew<typeof curateWorkflow>({ ...input, resume: state });
    progress.phase = 'planning';
    state = { ...state, phase: 'materializing', next: 0, global: await long.globalStep(plan) };
  }

  progress.phase = 'materializing';
  progress.shardsScored = plan.shardCount;
  progress.shardsMaterialized = state.next;
  const paused = await shardsInSlices(
    (shard) => long.materializeShard({ plan, shard }),
    () => {
      progress.shardsMaterialized++;
    },
  );
  if (paused) return await continueAsNew<typeof curateWorkflow>({ ...input, resume: state });

  progress.phase = 'committing';
  const result = await short.commitCuration({ plan, global: state.global });
  progress.phase = 'done';
  return { ...result, shardsReused: state.shardsReused, shardsScored: state.shardsScored };
}
