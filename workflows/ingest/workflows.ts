// The ingest workflow: plan, fan out one activity per partition with a sliding window, continue-as-new before
// history grows large, then commit the manifest. Deterministic and thin: activities do the work.
import { continueAsNew, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import { slidingWindow } from '../sliding-window.workflow.js';
import type { IngestActivities } from './activities.js';
import {
  INGEST_PROGRESS_QUERY,
  type IngestInput,
  type IngestProgress,
  type IngestResult,
  type IngestState,
  type PartitionResult,
} from './shared.js';

/** Query answering the run's progress. */
export const ingestProgressQuery = defineQuery<IngestProgress>(INGEST_PROGRESS_QUERY);

/** Partitions started per run before continuing as new (keeps history small). */
const PARTITIONS_PER_RUN = 200;

/** Ingests a source (or retries a dataset's failures) into a raw dataset version; returns its summary. */
export async function ingestWorkflow(input: IngestInput, state?: IngestState): Promise<IngestResult> {
  const short = proxyActivities<IngestActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
  });
  const long = proxyActivities<IngestActivities>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds ?? 60} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
  });

  const progress: IngestProgress = {
    name: input.name,
    version: state?.plan.version ?? null,
    partitionsDone: state?.next ?? 0,
    partitionsTotal: state?.plan.partitions ?? 0,
    rowsDone: state?.rows ?? 0,
    rowsTotal: state?.plan.totalRows ?? 0,
    ok: state?.ok ?? 0,
    phase: 'planning',
  };
  setHandler(ingestProgressQuery, () => progress);

  const plan = state?.plan ?? (await short.planIngest(input));
  progress.version = plan.version;
  progress.partitionsTotal = plan.partitions;
  progress.rowsTotal = plan.totalRows;
  progress.phase = 'fetching';

  if (!plan.committed) {
    const window = Math.max(1, input.maxConcurrentPartitions ?? 4);
    const start = state?.next ?? 0;
    const stop = Math.min(plan.partitions, start + Math.max(1, input.partitionsPerRun ?? PARTITIONS_PER_RUN));
    await slidingWindow(
      start,
      stop,
      window,
      (i) => long.ingestPartition({ plan, partition: i }),
      (r: PartitionResult) => {
        progress.partitionsDone++;
        progress.rowsDone += r.rows;
        progress.ok += r.ok;
      },
    );
    if (stop < plan.partitions) {
      // Partitions [0, stop) are done; the next run starts at `stop` with a fresh history.
      await continueAsNew<typeof ingestWorkflow>(input, {
        plan,
        next: stop,
        rows: progress.rowsDone,
        ok: progress.ok,
      });
    }
  }

  progress.phase = 'committing';
  const result = await short.commitIngest(plan);
  progress.phase = 'done';
  return result;
}
