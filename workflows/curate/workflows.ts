// The curate workflow: prepare, score every input shard in parallel (cached), a barrier, the global step
// (dedup, decontamination, language mix, M4), materialize every shard in parallel, then commit the manifest
// last. Deterministic and thin: activities do the work.
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import { slidingWindow } from '../sliding-window.workflow.js';
import type { CurateActivities } from './activities.js';
import {
  CURATE_PROGRESS_QUERY,
  type CurateInput,
  type CurateProgress,
  type CurateResult,
  type MaterializeResult,
  type ScoreShardResult,
} from './shared.js';

/** Query answering the run's progress. */
export const curateProgressQuery = defineQuery<CurateProgress>(CURATE_PROGRESS_QUERY);

/** Curates a raw dataset version into a curated version; returns its summary. */
export async function curateWorkflow(input: CurateInput): Promise<CurateResult> {
  const short = proxyActivities<CurateActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
  });
  const long = proxyActivities<CurateActivities>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds ?? 60} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  const progress: CurateProgress = {
    name: input.name,
    version: null,
    phase: 'preparing',
    shardsTotal: 0,
    shardsScored: 0,
    shardsMaterialized: 0,
  };
  setHandler(curateProgressQuery, () => progress);

  const plan = await short.prepareCuration(input);
  progress.version = plan.version;
  progress.shardsTotal = plan.shardCount;
  if (plan.committed) {
    progress.phase = 'done';
    return await short.commitCuration({ plan, global: null });
  }
  const window = Math.max(1, input.maxConcurrentShards ?? 4);

  progress.phase = 'scoring';
  const scored = await slidingWindow<ScoreShardResult>(
    0,
    plan.shardCount,
    window,
    (shard) => long.scoreShard({ plan, shard }),
    () => void progress.shardsScored++,
  );

  progress.phase = 'planning';
  const global = await long.globalStep(plan);

  progress.phase = 'materializing';
  await slidingWindow<MaterializeResult>(
    0,
    plan.shardCount,
    window,
    (shard) => long.materializeShard({ plan, shard }),
    () => void progress.shardsMaterialized++,
  );

  progress.phase = 'committing';
  const result = await short.commitCuration({ plan, global });
  progress.phase = 'done';
  const reused = scored.filter((s) => s.reused).length;
  return { ...result, shardsReused: reused, shardsScored: scored.length - reused };
}
