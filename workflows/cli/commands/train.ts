import type { Command } from 'commander';
import { pathToFileURL } from 'node:url';
import { CheckpointError } from '../../../model/errors.js';
import { TrainConfigError, TrainError } from '../../../model/run/errors.js';
import { initDir, initModelConfig } from '../../../model/run/init.js';
import { parseRunConfig, type RunConfig } from '../../../model/run/run-config.js';
import { ConfigFileError, readConfigFile } from '../../../storage/config-file.js';
import { ConfigError } from '../../config.js';
import { connectClient } from '../../connection.js';
import { TRAIN_PROGRESS_QUERY, TRAIN_TASK_QUEUE, type TrainInput, type TrainProgress, type TrainResult } from '../../train/shared.js';
import { waitWithProgress } from '../wait.js';
import { commandConfig } from '../context.js';
import { latestHeartbeat, trainProgressLine } from '../../progress.js';

/** Reads and validates a run config file (YAML or JSON); errors name the file and the field. */
export function readRunConfig(file: string): ReturnType<typeof parseRunConfig> {
  let raw: unknown;
  try {
    raw = readConfigFile(file);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    if (err.stage === 'read') throw new ConfigError('--config', `cannot read ${file}: ${err.message}`, 'flags', { cause: err.cause });
    throw new ConfigError('(file)', `not YAML or JSON: ${err.message}`, file, { cause: err.cause });
  }
  try {
    return parseRunConfig(raw);
  } catch (err) {
    if (err instanceof TrainConfigError) throw new ConfigError(err.field, err.message, file, { cause: err });
    throw err;
  }
}

/** The run config for `--init <dir>`: the directory's model config (LocCa decoder added when the run trains it). */
export async function withInit(run: RunConfig, dir: string): Promise<RunConfig> {
  try {
    const model = await initModelConfig(dir, { locca: run.locca });
    return parseRunConfig({ ...run, model, init: pathToFileURL(initDir(dir)).href });
  } catch (err) {
    if (err instanceof TrainError) throw new ConfigError('--init', err.message, 'flags', { cause: err });
    if (err instanceof CheckpointError) throw new ConfigError('--init', err.message, 'flags', { cause: err });
    throw err;
  }
}

/** `sigforge train`: starts trainWorkflow; with --wait shows a live progress line and prints the result. */
export function register(program: Command): void {
  program
    .command('train')
    .description('train a SigLIP 2 curriculum on a curated dataset version (durable: survives worker restarts)')
    .requiredOption('--config <file>', 'run config (YAML or JSON): model, batch, examples, stages, optimizer (sigforge settings: the global -c before `train`)')
    .requiredOption('--data <dataset@version>', 'curated dataset, name@version or name@latest')
    .requiredOption('--out <run>', 'run location: key prefix under the storage root (runs/x) or a URI inside it')
    .option('--init <dir>', 'start from official weights: an HF SigLIP / SigLIP 2 directory (config.json + safetensors, sharded too); the model config is taken from it')
    .option('--heartbeat-timeout <s>', 'seconds before a silent training worker is considered dead (default 120)')
    .option('--workflow-id <id>', 'workflow id (default train-<out>-<time>)')
    .option('--wait', 'wait for the result, showing progress')
    .action(async (o: { config: string; data: string; out: string; init?: string; heartbeatTimeout?: string; workflowId?: string; wait?: boolean }, command: Command) => {
      const config = commandConfig(command);
      const run = o.init ? await withInit(readRunConfig(o.config), o.init) : readRunConfig(o.config);
      const hb = o.heartbeatTimeout === undefined ? undefined : Number(o.heartbeatTimeout);
      if (hb !== undefined && !(Number.isInteger(hb) && hb > 0)) throw new ConfigError('--heartbeat-timeout', `expected a positive integer, got ${o.heartbeatTimeout}`, 'flags');
      const input: TrainInput = { config: run, data: o.data, out: o.out, ...(hb !== undefined && { heartbeatTimeoutSeconds: hb }) };
      const client = await connectClient(config.temporal);
      try {
        const workflowId = o.workflowId ?? `train-${o.out.replace(/[^A-Za-z0-9._-]+/g, '-')}-${Date.now()}`;
        const handle = await client.workflow.start('trainWorkflow', { taskQueue: TRAIN_TASK_QUEUE, workflowId, args: [input] });
        if (!o.wait) {
          console.log(workflowId);
          return;
        }
        console.error(`sigforge train: workflow ${workflowId} started; waiting (Ctrl-C stops waiting, not the run)`);
        const progress = async () => {
          const [p, h] = await Promise.all([handle.query<TrainProgress>(TRAIN_PROGRESS_QUERY), latestHeartbeat(handle)]);
          return trainProgressLine(p, h, run.batchSize);
        };
        console.log(JSON.stringify(await waitWithProgress<TrainResult>(handle, progress, 2000), null, 2));
      } finally {
        await client.connection.close();
      }
    });
}
