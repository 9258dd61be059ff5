import type { Command } from 'commander';
import { type Client } from '@temporalio/client';
import { PIPELINE_PROGRESS_QUERY, type PipelineProgress } from '../../pipeline/shared.js';
import { connectClient } from '../../connection.js';
import { type StageHeartbeat, TRAIN_PROGRESS_QUERY, type TrainProgress } from '../../train/shared.js';
import { latestHeartbeat, stageDetail, trainProgressLine } from '../../progress.js';
import { commandConfig } from '../context.js';

/** Running workflows with what each is doing (pipelines: the running stage and its progress). */
async function listRunning(client: Client, json: boolean): Promise<void> {
  const rows: { workflowId: string; type: string; startTime: Date; detail: string }[] = [];
  for await (const w of client.workflow.list({ query: "ExecutionStatus = 'Running'" })) {
    let detail = '';
    if (w.type === 'pipelineWorkflow') {
      const p = await client.workflow.getHandle(w.workflowId).query<PipelineProgress>(PIPELINE_PROGRESS_QUERY).catch(() => null);
      const running = p?.stages.find((s) => s.state === 'running');
      if (running) detail = `${running.stage}: ${await stageDetail(client, running.stage, running.workflowId)}`;
    } else if (w.type === 'trainWorkflow') {
      detail = await stageDetail(client, 'train', w.workflowId);
    }
    rows.push({ workflowId: w.workflowId, type: w.type, startTime: w.startTime, detail });
  }
  if (json) return void console.log(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return void console.log('no running workflows');
  for (const r of rows) console.log(`${r.workflowId}\t${r.type}\tsince ${r.startTime.toISOString()}${r.detail ? `\t${r.detail}` : ''}`);
}

/** `sigforge status [<workflow-id>]`: running workflows, or the state of one (training progress for a train run). */
export function register(program: Command): void {
  program
    .command('status')
    .description('list running workflows with their progress, or show one workflow (training: stage, step, loss, images/s)')
    .argument('[workflow-id]', 'workflow id printed by demo, pipeline, train, ingest, curate or eval')
    .option('--json', 'print JSON')
    .action(async (workflowId: string | undefined, o: { json?: boolean }, command: Command) => {
      const config = commandConfig(command);
      const client = await connectClient(config.temporal);
      try {
        if (!workflowId) return await listRunning(client, Boolean(o.json));
        const handle = client.workflow.getHandle(workflowId);
        const d = await handle.describe();
        const out: { [k: string]: unknown } = { workflowId, type: d.type, status: d.status.name, startTime: d.startTime, closeTime: d.closeTime ?? null };
        if (d.type === 'trainWorkflow') {
          out.progress = d.status.name === 'RUNNING' ? await handle.query<TrainProgress>(TRAIN_PROGRESS_QUERY) : null;
          out.heartbeat = await latestHeartbeat(handle);
        }
        if (d.type === 'pipelineWorkflow' && d.status.name === 'RUNNING') {
          out.progress = await handle.query<PipelineProgress>(PIPELINE_PROGRESS_QUERY);
        }
        if (d.status.name === 'COMPLETED') out.result = await handle.result();
        if (o.json) console.log(JSON.stringify(out, null, 2));
        else {
          console.log(`${workflowId}: ${d.type} ${d.status.name}`);
          if (d.type === 'trainWorkflow' && out.progress) {
            console.log(trainProgressLine(out.progress as TrainProgress, (out.heartbeat as StageHeartbeat | null) ?? null, null));
          }
          if (d.type === 'pipelineWorkflow' && out.progress) {
            for (const s of (out.progress as PipelineProgress).stages) console.log(`  ${s.stage}\t${s.state}${s.summary ? `\t${s.summary}` : ''}`);
          }
          if (out.result) console.log(JSON.stringify(out.result, null, 2));
        }
      } finally {
        await client.connection.close();
      }
    });
}
