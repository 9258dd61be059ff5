// The curate workflow: prepare, score every input shard in parallel (cached), a barrier, the global step
// (dedup, decontamination, language mix, M4), materialize every shard in parallel, then commit the manifest
// last. Deterministic and thin: activities do the work.
import { condition, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
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

/** Runs `task(i)` for i in [0, n) with at most `window` in flight; results in index order; first failure wins. */
async function slidingWindow<T>(
  n: number,
  window: number,
  task: (i: number) => Promise<T>,
  onDone: (r: T) => void,
): Promise<T[]> {
  const results: T[] = new Array<T>(n);
  let running = 0;
  let failure: unknown = null;
  for (let i = 0; i < n; i++) {
    await condition(() => running < window || failure !== null);
    if (failure !== null) break;
    running++;
    task(i).then(
      (r) => {
        running--;
        results[i] = r;
        onDone(r);
      },
      (err: unknown) => {
        running--;
        failure ??= err;
      },
    );
  }
  await condition(() => running === 0);
  if (failure !== null) throw failure;
  return results;
}

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
    plan.shardCount,
    window,
    (shard) => long.scoreShard({ plan, shard }),
    () => void progress.shardsScored++,
  );

  progress.phase = 'planning';
  const global = await long.globalStep(plan);

  progress.phase = 'materializing';
  await slidingWindow<MaterializeResult>(
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
