import { type Command } from 'commander';
import { waitWithProgress } from '../wait.js';
import {
  configFromEnv,
  mergeConfig,
  parseConfig,
  readConfigFile,
  type ConfigInput,
  type SigforgeConfig,
} from '../../config.js';
import { connectClient } from '../../connection.js';
import { parseCurateConfig } from '../../../pipelines/curate/config.js';
import {
  CURATE_PROGRESS_QUERY,
  CURATE_TASK_QUEUE,
  type CurateInput,
  type CurateProgress,
  type CurateResult,
} from '../../curate/shared.js';

interface CurateFlags {
  input: string;
  name: string;
  version?: string;
  evalSets?: string[];
  dedupAgainst?: string[];
  incremental?: boolean;
  concurrency?: string;
  workflowId?: string;
  wait?: boolean;
  // Global flags.
  config?: string;
  temporalAddress?: string;
  namespace?: string;
  root?: string;
}

/**
 * Splits the `--config` file: a file with a top-level `curate:` section holds the curation config there and
 * sigforge settings (temporal, storage) beside it; any other file is the curation config alone.
 */
export function splitCurateConfigFile(raw: unknown): { curate: unknown; runtime: unknown } {
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'curate' in raw) {
    const { curate, ...runtime } = raw as { [k: string]: unknown };
    return { curate, runtime };
  }
  return { curate: raw, runtime: {} };
}

function runtimeConfig(o: CurateFlags, fileRuntime: unknown): SigforgeConfig {
  const flags: ConfigInput = {
    temporal: { address: o.temporalAddress, namespace: o.namespace },
    storage: { root: o.root },
  };
  return parseConfig(
    mergeConfig(fileRuntime, configFromEnv(process.env), flags),
    o.config ? `file ${o.config} + env + flags` : 'env + flags',
  );
}

/** Builds the workflow input from flags and the validated curation config. */
export function curateInputFromFlags(o: CurateFlags, curateConfig: unknown): CurateInput {
  const cfg = parseCurateConfig(curateConfig); // exits 1 naming the bad field before anything starts
  const concurrency = o.concurrency === undefined ? undefined : Number(o.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64)) {
    throw new Error(`--concurrency: expected an integer from 1 to 64, got ${JSON.stringify(o.concurrency)}`);
  }
  return {
    input: o.input,
    config: cfg,
    name: o.name,
    ...(o.version ? { version: o.version } : {}),
    evalSets: o.evalSets ?? [],
    dedupAgainst: o.dedupAgainst ?? [],
    incremental: o.incremental ?? false,
    ...(concurrency ? { maxConcurrentShards: concurrency } : {}),
  };
}

/** `sigforge curate`: starts curateWorkflow; with --wait shows progress and prints the result. */
export function register(program: Command): void {
  program
    .command('curate')
    .description('curate a raw dataset version: filters, dedup, eval decontamination, language mix, M4 de-biasing')
    .requiredOption('--input <dataset@version>', 'raw dataset to curate (name@version or name@latest)')
    .requiredOption('--name <out>', 'curated dataset name to write')
    .option('--version <v>', 'version to write (default: a hash of inputs and config, so reruns are idempotent)')
    .option('--eval-sets <dataset@version...>', 'evaluation datasets to decontaminate against')
    .option('--dedup-against <dataset@version...>', 'earlier curated versions whose rows must not be repeated')
    .option('--incremental', 'reuse cached per-shard results (same input shard and filter config)')
    .option('--concurrency <n>', 'shard activities in flight (default 4)')
    .option('--workflow-id <id>', 'workflow id (default curate-<name>-<time>)')
    .option('--wait', 'wait for the result, showing progress')
    .addHelpText(
      'after',
      '\nThe global --config <file> is the curation config (YAML/JSON). It may instead hold it under a top-level\n' +
        '`curate:` key next to sigforge settings (temporal, storage).',
    )
    .action(async (_o: CurateFlags, command: Command) => {
      const o = command.optsWithGlobals<CurateFlags>();
      const { curate, runtime } = splitCurateConfigFile(o.config ? readConfigFile(o.config) : {});
      const input = curateInputFromFlags(o, curate);
      const config = runtimeConfig(o, runtime);
      const client = await connectClient(config.temporal);
      try {
        const workflowId = o.workflowId ?? `curate-${o.name}-${Date.now()}`;
        const handle = await client.workflow.start('curateWorkflow', {
          taskQueue: CURATE_TASK_QUEUE,
          workflowId,
          args: [input],
        });
        if (!o.wait) {
          console.log(workflowId);
          return;
        }
        console.error(`sigforge curate: workflow ${workflowId} started; waiting (Ctrl-C stops waiting, not the run)`);
        const progress = async () => {
          const p = await handle.query<CurateProgress>(CURATE_PROGRESS_QUERY);
          return `${p.phase}: ${p.shardsScored}/${p.shardsTotal} shards scored, ${p.shardsMaterialized}/${p.shardsTotal} written`;
        };
        console.log(JSON.stringify(await waitWithProgress<CurateResult>(handle, progress, 2000), null, 2));
      } finally {
        await client.connection.close();
      }
    });
}
