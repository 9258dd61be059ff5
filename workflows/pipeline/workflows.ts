// The whole chain as one durable workflow: each stage is a child workflow (its own history, its own UI page), and a
// rerun reuses every stage's committed output (ingest and curation versions are input hashes; training resumes).
import { defineQuery, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PipelineActivities } from './activities.js';
import {
  PIPELINE_PROGRESS_QUERY,
  PIPELINE_STAGES,
  type PipelineInput,
  type PipelineProgress,
  type PipelineResult,
  type PipelineStage,
} from './shared.js';
import type { CurateResult } from '../curate/shared.js';
import type { EvaluateResult } from '../eval/shared.js';
import type { IngestResult } from '../ingest/shared.js';
import type { TrainResult } from '../train/shared.js';

export const pipelineProgressQuery = defineQuery<PipelineProgress>(PIPELINE_PROGRESS_QUERY);

const { writePipelineReport } = proxyActivities<PipelineActivities>({
  taskQueue: 'eval',
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3 },
});

const dirOf = (uri: string): string => uri.replace(/\/[^/]+$/, '');

/** Runs ingest → curate → train → evaluate → report, reporting each stage through the progress query. */
export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  const id = workflowInfo().workflowId;
  const progress: PipelineProgress = {
    stage: 'ingest',
    stages: PIPELINE_STAGES.map((stage) => ({ stage, state: 'pending', workflowId: null, summary: null })),
  };
  setHandler(pipelineProgressQuery, () => progress);

  async function stage<T>(name: PipelineStage, run: (childId: string) => Promise<T>, summary: (r: T) => string) {
    const s = progress.stages.find((x) => x.stage === name)!;
    progress.stage = name;
    s.state = 'running';
    s.workflowId = name === 'report' ? null : `${id}-${name}`;
    try {
      const result = await run(`${id}-${name}`);
      s.state = 'done';
      s.summary = summary(result);
      return result;
    } catch (err) {
      s.state = 'failed';
      throw err;
    }
  }

  const ingest = await stage<IngestResult>(
    'ingest',
    (workflowId) => executeChild('ingestWorkflow', { workflowId, taskQueue: 'etl', args: [input.ingest] }),
    (r) => `${r.name}@${r.version}: ${r.ok}/${r.rows} rows ok`,
  );
  const curate = await stage<CurateResult>(
    'curate',
    (workflowId) =>
      executeChild('curateWorkflow', {
        workflowId,
        taskQueue: 'etl',
        args: [{ ...input.curate, input: `${ingest.name}@${ingest.version}` }],
      }),
    (r) => `${r.name}@${r.version}: ${r.rowsOut}/${r.rowsIn} rows kept`,
  );
  const train = await stage<TrainResult>(
    'train',
    (workflowId) =>
      executeChild('trainWorkflow', {
        workflowId,
        taskQueue: 'train',
        args: [{ ...input.train, data: `${curate.name}@${curate.version}` }],
      }),
    (r) => `${r.run}: ${r.stages.map((s) => `${s.stage} to step ${s.step}`).join(', ')}`,
  );
  const evaluate = await stage<EvaluateResult>(
    'evaluate',
    (workflowId) =>
      executeChild('evaluateWorkflow', { workflowId, taskQueue: 'eval', args: [{ ...input.evaluate, models: [train.run] }] }),
    (r) => r.results.map((x) => `${x.suite}: ${Object.entries(x.metrics).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ')}`).join('; '),
  );
  const reportUri = await stage<string>(
    'report',
    () =>
      writePipelineReport({
        // Folders the report reads: the run, the evaluation summary's folder, the curated version (with its input).
        sources: [train.run, dirOf(evaluate.summaryUri), dirOf(curate.manifestUri)],
        out: input.report?.out ?? `reports/${id}`,
        title: input.report?.title ?? `sigforge pipeline ${id}`,
      }),
    (uri) => uri,
  );
  progress.stage = 'done';
  return { ingest, curate, train, evaluate, reportUri };
}
