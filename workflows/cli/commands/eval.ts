import { type Command, Option } from 'commander';
import { EMOJI_STYLES } from '../../../pipelines/eval/emoji-data.js';
import { BUILTIN_SUITES } from '../../../model/eval/suites.js';
import { parseSuite } from '../../../model/eval/suite.js';
import { readConfigFile } from '../../../storage/config-file.js';
import { ConfigError, storesFromConfig } from '../../config.js';
import { type Stores } from '../../../storage/index.js';
import { connectClient } from '../../connection.js';
import { EVAL_PROGRESS_QUERY, EVAL_TASK_QUEUE, type EvalProgress, type EvaluateInput, type EvaluateResult, type SuiteObject } from '../../eval/shared.js';
import { formatResultsTable } from '../../eval/table.js';
import { waitWithProgress } from '../wait.js';
import { commandConfig, intFlag } from '../context.js';

interface EvalFlags {
  model: string[];
  suite: string[];
  out?: string;
  emojiStyle?: string;
  languages?: string;
  maxClasses?: string;
  maxConcurrent?: string;
  backend?: string;
  workflowId?: string;
  wait?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** Reads a suite file on this machine (the worker may run elsewhere) and validates it; names pass through. */
export function suiteArg(arg: string): string | SuiteObject[] {
  if (BUILTIN_SUITES.includes(arg)) return arg;
  if (!/\.(json|ya?ml)$/i.test(arg)) throw new ConfigError('--suite', `${JSON.stringify(arg)} is neither a built-in suite (${BUILTIN_SUITES.join(', ')}) nor a .json/.yaml file`, 'flags');
  let value: unknown;
  try {
    value = readConfigFile(arg);
  } catch (err) {
    throw new ConfigError('--suite', `${arg}: ${(err as Error).message}`, 'flags');
  }
  return (Array.isArray(value) ? value : [value]).map((v) => parseSuite(v, arg) as SuiteObject);
}

/** Builds the workflow input from flags (model references become URIs: runs/x under the storage root, ./x local). */
export function evalInputFromFlags(o: EvalFlags, stores: Stores): EvaluateInput {
  const models = o.model.map((m) => stores.resolve(m));
  return {
    models,
    suites: o.suite.flatMap((s): (string | SuiteObject)[] => {
      const r = suiteArg(s);
      return typeof r === 'string' ? [r] : r;
    }),
    ...(o.out !== undefined && { out: o.out }),
    emoji: {
      ...(o.emojiStyle !== undefined && { style: o.emojiStyle as (typeof EMOJI_STYLES)[number] }),
      ...(o.languages !== undefined && { languages: o.languages.split(',').map((s) => s.trim()) }),
      ...(o.maxClasses !== undefined && { maxClasses: intFlag(o.maxClasses, '--max-classes', 1, 100_000) }),
    },
    ...(o.maxConcurrent !== undefined && { maxConcurrent: intFlag(o.maxConcurrent, '--max-concurrent', 1, 64) }),
    ...(o.backend !== undefined && { backend: o.backend }),
  };
}

/** `sigforge eval`: starts evaluateWorkflow; with --wait shows progress and prints a results table. */
export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate checkpoints or imported models on suites (zero-shot, retrieval, fairness)')
    .requiredOption('--model <uri>', 'model directory, sigforge checkpoint or training run (its final checkpoint): s3:// or file:// URI, local path (/abs, ./rel) or path under the storage root (runs/x); repeatable', collect)
    .requiredOption('--suite <name|file>', `suite name (${BUILTIN_SUITES.join(', ')}) or .json/.yaml file; repeatable`, collect)
    .option('--out <key>', 'key prefix of the run summary under the storage root (default eval/runs/<workflow id>)')
    .addOption(new Option('--emoji-style <style>', 'image style of the emoji benchmark (default facebook)').choices(EMOJI_STYLES))
    .option('--languages <list>', 'emoji benchmark languages, comma-separated (default en,de,fr,es,pt,ru,ja,zh,ar,hi)')
    .option('--max-classes <n>', 'emoji benchmark classes besides the occupation pairs (default 300)')
    .option('--max-concurrent <n>', 'evaluations in flight (default 2)')
    .addOption(new Option('--backend <name>', 'tfjs backend on the worker').choices(['auto', 'tensorflow', 'wasm', 'cpu']))
    .option('--workflow-id <id>', 'workflow id (default eval-<time>)')
    .option('--wait', 'wait for the results, showing progress, and print a table')
    .action(async (o: EvalFlags, command: Command) => {
      const config = commandConfig(command);
      const input = evalInputFromFlags(o, storesFromConfig(config));
      const client = await connectClient(config.temporal);
      try {
        const workflowId = o.workflowId ?? `eval-${Date.now()}`;
        const handle = await client.workflow.start('evaluateWorkflow', { taskQueue: EVAL_TASK_QUEUE, workflowId, args: [input] });
        if (!o.wait) {
          console.log(workflowId);
          return;
        }
        console.error(`sigforge eval: workflow ${workflowId} started; waiting (Ctrl-C stops waiting, not the run)`);
        const progress = async () => {
          const p = await handle.query<EvalProgress>(EVAL_PROGRESS_QUERY);
          return `  ${p.phase}: ${p.done}/${p.total} evaluations`;
        };
        const result = await waitWithProgress<EvaluateResult>(handle, progress, 2000);
        console.log(formatResultsTable(result.results));
        console.log(`summary: ${result.summaryUri}`);
      } finally {
        await client.connection.close();
      }
    });
}
