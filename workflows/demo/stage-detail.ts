// One progress line per pipeline stage, from the running child workflow's own query (and, for training, the
// heartbeat details of its running stage activity).
import { type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { CURATE_PROGRESS_QUERY, type CurateProgress } from '../curate/shared.js';
import { EVAL_PROGRESS_QUERY, type EvalProgress } from '../eval/shared.js';
import { INGEST_PROGRESS_QUERY, type IngestProgress } from '../ingest/shared.js';
import type { PipelineStage } from '../pipeline/shared.js';
import { type StageHeartbeat, TRAIN_PROGRESS_QUERY, type TrainProgress } from '../train/shared.js';

/** Latest heartbeat details of a workflow's running activity, or null. */
export async function runningHeartbeat<T>(client: Client, workflowId: string): Promise<T | null> {
  const d = await client.workflow.getHandle(workflowId).describe();
  for (const a of d.raw.pendingActivities ?? []) {
    const p = a.heartbeatDetails?.payloads?.[0];
    if (p) return defaultPayloadConverter.fromPayload<T>(p);
  }
  return null;
}

/** A short live description of a running stage. */
export async function stageDetail(client: Client, stage: PipelineStage, workflowId: string | null): Promise<string> {
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
        const hb = await runningHeartbeat<StageHeartbeat>(client, workflowId);
        if (!hb) return `${p.state}${p.stage ? ` (${p.stage})` : ''}`;
        return `${hb.stage}: step ${hb.step}/${hb.endStep}, loss ${hb.loss.toFixed(3)}, ${hb.imagesPerS.toFixed(0)} images/s`;
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
