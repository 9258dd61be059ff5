import { type Command } from 'commander';
import { waitWithProgress } from '../wait.js';
import {
  ConfigError,
  configFromEnv,
  mergeConfig,
  parseConfig,
  readConfigFile,
  storesFromConfig,
  type ConfigInput,
  type SigforgeConfig,
} from '../../config.js';
import { z } from 'zod';
import { closeStore, splitObjectUri, type Stores } from '../../../storage/index.js';
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
  curateConfig?: string;
  // Global flags.
  config?: string;
  temporalAddress?: string;
  namespace?: string;
  root?: string;
}

const SETTINGS_KEYS = new Set(['temporal', 'storage', 'worker']);

/**
 * Reads the curation config and the settings layer from `--curate-config` and the settings file (`-c`, before or
 * after the verb). `-c` is always sigforge settings; its `curate:` section, if any, is the curation config when no
 * `--curate-config` is given. A settings file that holds a bare curation config is refused with the flag to use.
 */
export function curateFiles(o: { config?: string; curateConfig?: string }): { curate: unknown; runtime: unknown } {
  const settings = o.config ? readConfigFile(o.config) : {};
  const isObject = settings !== null && typeof settings === 'object' && !Array.isArray(settings);
  const keys = isObject ? Object.keys(settings) : [];
  if (o.config && keys.length > 0 && !keys.includes('curate') && keys.some((k) => !SETTINGS_KEYS.has(k))) {
    throw new ConfigError('--config', `${o.config} looks like a curation config (keys ${keys.join(', ')}); pass it as --curate-config ${o.config} (-c is for sigforge settings: temporal, storage, worker)`, 'flags');
  }
  const fromSettings = keys.includes('curate') ? splitCurateConfigFile(settings) : { curate: {}, runtime: settings };
  if (!o.curateConfig) return fromSettings;
  return { curate: splitCurateConfigFile(readConfigFile(o.curateConfig)).curate, runtime: fromSettings.runtime };
}

/**
 * Splits a config file: a file with a top-level `curate:` section holds the curation config there and
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

const droppedSchema = z.object({ stats: z.object({ dropped: z.record(z.string(), z.number()).optional() }) });

/** One line naming every reason rows were dropped, with counts, read from the committed manifest. */
export async function droppedLine(stores: Stores, manifestUri: string): Promise<string> {
  const { rootUri, key } = splitObjectUri(manifestUri);
  const store = stores.open(rootUri);
  try {
    const dropped = droppedSchema.parse(JSON.parse(new TextDecoder().decode(await store.get(key)))).stats.dropped ?? {};
    const parts = Object.entries(dropped)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${reason} ${n}`);
    if (parts.length === 0) return 'rows dropped: none';
    const m4 = Object.keys(dropped).some((r) => r.startsWith('m4')) ? ' (M4 subsampling is on by default; `m4: { enabled: false }` or `mode: weight` keeps every row)' : '';
    return `rows dropped: ${parts.join(', ')}${m4}`;
  } finally {
    closeStore(store);
  }
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
    .option('--curate-config <file>', 'curation config (YAML/JSON): filters, dedup, decontamination, language mix, m4')
    .addHelpText(
      'after',
      '\nThe curation config comes from --curate-config, or from a top-level `curate:` section of the settings file\n' +
        '(-c, next to temporal and storage). Defaults that drop rows are listed with their counts in the result:\n' +
        'the hygiene filter, exact and near-duplicate removal, and M4 de-biasing (subsample mode, on unless the\n' +
        'config says `m4: { enabled: false }`).',
    )
    .action(async (_o: CurateFlags, command: Command) => {
      const o = command.optsWithGlobals<CurateFlags>();
      const { curate, runtime } = curateFiles(o);
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
        const result = await waitWithProgress<CurateResult>(handle, progress, 2000);
        console.log(JSON.stringify(result, null, 2));
        console.error(await droppedLine(storesFromConfig(config), result.manifestUri).catch((err: Error) => `rows dropped: unknown (${err.message})`));
      } finally {
        await client.connection.close();
      }
    });
}
