// Progress of running workflows for people: one line per pipeline stage, from the running child workflow's own query
// (and, for training, the heartbeat details of its running stage activity).
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { CURATE_PROGRESS_QUERY, type CurateProgress } from './curate/shared.js';
import { EVAL_PROGRESS_QUERY, type EvalProgress } from './eval/shared.js';
import { INGEST_PROGRESS_QUERY, type IngestProgress } from './ingest/shared.js';
import type { PipelineStage } from './pipeline/shared.js';
import { type StageHeartbeat, TRAIN_PROGRESS_QUERY, type TrainProgress } from './train/shared.js';

/** The newest heartbeat of a workflow's running activity (a training stage's step, loss, lr, images/s), if any. */
export async function latestHeartbeat<T = StageHeartbeat>(handle: WorkflowHandle): Promise<T | null> {
  const d = await handle.describe();
  for (const a of d.raw.pendingActivities ?? []) {
    const payload = a.heartbeatDetails?.payloads?.[0];
    if (payload) return defaultPayloadConverter.fromPayload<T>(payload);
  }
  return null;
}

/** One progress line of a training run: stage, step, loss, images/s and ETA of the stage. */
export function trainProgressLine(p: TrainProgress, hb: StageHeartbeat | null, batchSize: number | null): string {
  if (!hb) return `${p.state} ${p.stage ?? ''} (${p.completed.length}/${p.stages.length} stages done)`.trim();
  const stepsPerS = batchSize && hb.imagesPerS > 0 ? hb.imagesPerS / batchSize : 0;
  const eta = stepsPerS > 0 ? Math.round((hb.endStep - hb.step) / stepsPerS) : null;
  return (
    `${p.state} stage ${hb.stage} step ${hb.step}/${hb.endStep} loss ${hb.loss.toFixed(4)} lr ${hb.lr.toExponential(2)} ` +
    `${hb.imagesPerS.toFixed(1)} images/s, checkpoint ${hb.checkpointStep ?? '-'}${eta === null ? '' : `, ETA ${eta}s`}`
  );
}

/** A short live description of a running stage. */
export async function stageDetail(client: Client, stage: PipelineStage, workflowId: string | null, batchSize: number | null = null): Promise<string> {
  if (!workflowId) return 'writing the report';
  const h = client.workflow.getHandle(workflowId);
  try {
    switch (stage) {
      case 'ingest': {
        const p = await h.query<IngestProgress>(INGEST_PROGRESS_QUERY);
        return `${p.phase}: ${p.rowsDone}/${p.rowsTotal} rows, ${p.ok} ok, partitions ${p.partitionsDone}/${p.partitionsTotal}`;
      }
      case 'curate': {
        const p = await h.query<CurateProgress>(CURATE_PROGRESS_QUERY);
        return `${p.phase}: shards scored ${p.shardsScored}/${p.shardsTotal}, materialized ${p.shardsMaterialized}`;
      }
      case 'train': {
        const p = await h.query<TrainProgress>(TRAIN_PROGRESS_QUERY);
        return trainProgressLine(p, await latestHeartbeat(h), batchSize);
      }
      case 'evaluate': {
        const p = await h.query<EvalProgress>(EVAL_PROGRESS_QUERY);
        return `${p.phase}: ${p.done}/${p.total} evaluations`;
      }
      default:
        return '';
    }
  } catch {
    return 'starting';
  }
}
