import type { Command } from 'commander';
import { type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { connectClient } from '../../connection.js';
import { type StageHeartbeat, TRAIN_PROGRESS_QUERY, type TrainProgress } from '../../train/shared.js';
import { commandConfig } from '../context.js';

/** The newest heartbeat of a workflow's running activity (a training stage's step, loss, lr, images/s), if any. */
export async function latestHeartbeat(handle: WorkflowHandle): Promise<StageHeartbeat | null> {
  const d = await handle.describe();
  for (const a of d.raw.pendingActivities ?? []) {
    const payload = a.heartbeatDetails?.payloads?.[0];
    if (payload) return defaultPayloadConverter.fromPayload<StageHeartbeat>(payload);
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
    `${hb.imagesPerS.toFixed(1)} images/s, checkpoint ${hb.checkpointStep ?? '-'}, ETA ${eta === null ? '?' : `${eta}s`}`
  );
}

/** `sigforge status <workflow-id>`: state of any sigforge workflow, with training progress when it is a train run. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show the state and progress of a workflow (training: stage, step, loss, images/s)')
    .argument('<workflow-id>', 'workflow id printed by train, ingest, curate or eval')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, o: { json?: boolean }, command: Command) => {
      const config = commandConfig(command);
      const client = await connectClient(config.temporal);
      try {
        const handle = client.workflow.getHandle(workflowId);
        const d = await handle.describe();
        const out: { [k: string]: unknown } = { workflowId, type: d.type, status: d.status.name, startTime: d.startTime, closeTime: d.closeTime ?? null };
        if (d.type === 'trainWorkflow') {
          out.progress = d.status.name === 'RUNNING' ? await handle.query<TrainProgress>(TRAIN_PROGRESS_QUERY) : null;
          out.heartbeat = await latestHeartbeat(handle);
        }
        if (d.status.name === 'COMPLETED') out.result = await handle.result();
        if (o.json) console.log(JSON.stringify(out, null, 2));
        else {
          console.log(`${workflowId}: ${d.type} ${d.status.name}`);
          if (out.progress) console.log(trainProgressLine(out.progress as TrainProgress, (out.heartbeat as StageHeartbeat | null) ?? null, null));
          if (out.result) console.log(JSON.stringify(out.result, null, 2));
        }
      } finally {
        await client.connection.close();
      }
    });
}
