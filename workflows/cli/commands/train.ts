import type { Command } from 'commander';
import { TrainConfigError } from '../../../model/run/errors.js';
import { parseRunConfig } from '../../../model/run/run-config.js';
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

/** `sigforge train`: starts trainWorkflow; with --wait shows a live progress line and prints the result. */
export function register(program: Command): void {
  program
    .command('train')
    .description('train a SigLIP 2 curriculum on a curated dataset version (durable: survives worker restarts)')
    .requiredOption('--config <file>', 'run config (YAML or JSON): model, batch, examples, stages, optimizer (sigforge settings: the global -c before `train`)')
    .requiredOption('--data <dataset@version>', 'curated dataset, name@version or name@latest')
    .requiredOption('--out <run>', 'run location: key prefix under the storage root (runs/x) or a URI inside it')
    .option('--heartbeat-timeout <s>', 'seconds before a silent training worker is considered dead (default 120)')
    .option('--workflow-id <id>', 'workflow id (default train-<out>-<time>)')
    .option('--wait', 'wait for the result, showing progress')
    .action(async (o: { config: string; data: string; out: string; heartbeatTimeout?: string; workflowId?: string; wait?: boolean }, command: Command) => {
      const config = commandConfig(command);
      const run = readRunConfig(o.config);
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
