import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseCurateConfig } from '../../../pipelines/curate/config.js';
import { TrainConfigError } from '../../../model/run/errors.js';
import { parseRunConfig } from '../../../model/run/run-config.js';
import { ConfigError, readConfigFile } from '../../config.js';
import { connectClient } from '../../connection.js';
import { PIPELINE_PROGRESS_QUERY, type PipelineInput, type PipelineProgress, type PipelineResult } from '../../pipeline/shared.js';
import { stageDetail } from '../../progress.js';
import { commandConfig } from '../context.js';
import { waitWithProgress } from '../wait.js';

/** A config section given inline or as a path to a YAML/JSON file (relative to the pipeline file). */
const inlineOrFile = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

/** The pipeline file: each stage's input, less what earlier stages produce (see workflows/pipeline/shared.ts). */
const pipelineFileSchema = z.object({
  ingest: z
    .object({ name: z.string().min(1), source: z.string().min(1).optional(), retryFailed: z.string().min(3).optional() })
    .passthrough()
    .refine((x) => x.source !== undefined || x.retryFailed !== undefined, { message: 'give source or retryFailed' }),
  curate: z.object({ name: z.string().min(1), config: inlineOrFile }).passthrough(),
  train: z.object({ config: inlineOrFile, out: z.string().min(1) }).passthrough(),
  evaluate: z.object({ suites: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1) }).passthrough(),
  report: z.object({ out: z.string().optional(), title: z.string().optional() }).optional(),
});

/** A local path becomes an absolute file:// URI (relative to `dir`); URIs pass unchanged. */
function toUri(p: string, dir: string): string {
  return p.includes('://') ? p : pathToFileURL(path.resolve(dir, p)).href;
}

/**
 * Reads and validates a pipeline file into pipelineWorkflow's input, before anything starts: the training run
 * config and the curation config (inline or in their own files) are validated here, so a bad field exits 1 naming
 * the file and the field. Relative paths (source, config files, model-free evaluation suites stay names) resolve
 * against the pipeline file's folder.
 */
export function readPipelineFile(file: string): PipelineInput {
  const dir = path.dirname(path.resolve(file));
  const parsed = pipelineFileSchema.safeParse(readConfigFile(file));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ConfigError(i.path.join('.') || '(file)', i.message, file, { cause: parsed.error });
  }
  const p = parsed.data;
  const section = (v: string | { [k: string]: unknown }): { raw: unknown; where: string } =>
    typeof v === 'string' ? { raw: readConfigFile(path.resolve(dir, v)), where: path.resolve(dir, v) } : { raw: v, where: file };

  const run = section(p.train.config);
  let trainConfig: ReturnType<typeof parseRunConfig>;
  try {
    trainConfig = parseRunConfig(run.raw);
  } catch (err) {
    if (err instanceof TrainConfigError) throw new ConfigError(`train.config.${err.field}`, err.message, run.where, { cause: err });
    throw err;
  }
  const cur = section(p.curate.config);
  let curateConfig: unknown;
  try {
    curateConfig = parseCurateConfig(cur.raw);
  } catch (err) {
    throw new ConfigError('curate.config', (err as Error).message, cur.where, { cause: err });
  }
  const { source, ...ingest } = p.ingest;
  return {
    ingest: { ...ingest, ...(source !== undefined && { source: toUri(source, dir) }) },
    curate: { ...p.curate, config: curateConfig },
    train: { ...p.train, config: trainConfig },
    evaluate: p.evaluate as PipelineInput['evaluate'],
    ...(p.report && { report: p.report }),
  };
}

/** `sigforge pipeline`: starts pipelineWorkflow (ingest → curate → train → evaluate → report) from one file. */
export function register(program: Command): void {
  program
    .command('pipeline')
    .description('run ingest → curate → train → evaluate → report as one durable workflow, described by one file')
    .requiredOption('--config <file>', 'pipeline file (YAML/JSON): ingest, curate, train, evaluate, report sections (see examples/pipeline.yaml)')
    .option('--workflow-id <id>', 'workflow id (default pipeline-<curate name>-<time>)')
    .option('--wait', 'wait for the result, showing which stage runs and its progress')
    .action(async (o: { config: string; workflowId?: string; wait?: boolean }, command: Command) => {
      const config = commandConfig(command);
      const input = readPipelineFile(o.config);
      const client = await connectClient(config.temporal);
      try {
        const workflowId = o.workflowId ?? `pipeline-${input.curate.name}-${Date.now()}`;
        const handle = await client.workflow.start('pipelineWorkflow', { taskQueue: 'etl', workflowId, args: [input] });
        if (!o.wait) {
          console.log(workflowId);
          return;
        }
        console.error(`sigforge pipeline: workflow ${workflowId} started; waiting (Ctrl-C stops waiting, not the run)`);
        const batch = (input.train.config as { batchSize?: number }).batchSize ?? null;
        const progress = async (): Promise<string> => {
          const p = await handle.query<PipelineProgress>(PIPELINE_PROGRESS_QUERY);
          const done = p.stages.filter((s) => s.state === 'done').map((s) => s.stage);
          const running = p.stages.find((s) => s.state === 'running');
          const detail = running ? `[${running.stage}] ${await stageDetail(client, running.stage, running.workflowId, batch)}` : String(p.stage);
          return `${done.length ? `done: ${done.join(', ')} · ` : ''}${detail}`;
        };
        console.log(JSON.stringify(await waitWithProgress<PipelineResult>(handle, progress, 3000), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
      } finally {
        await client.connection.close();
      }
    });
}
