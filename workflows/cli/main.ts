import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { TemporalConnectionError } from '../connection.js';
import { ToolNotFoundError } from '../dev/tools.js';
import { addGlobalOptions } from './context.js';
import { register as registerCurate } from './commands/curate.js';
import { register as registerDatasets } from './commands/datasets.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerDevServer } from './commands/dev-server.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerIngest } from './commands/ingest.js';
import { register as registerReport } from './commands/report.js';
import { register as registerSchedule } from './commands/schedule.js';
import { register as registerShards } from './commands/shards.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerWorker } from './commands/worker.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the `sigforge` command tree (every verb is registered here, in one place). */
export function buildProgram(): Command {
  const program = addGlobalOptions(
    new Command('sigforge')
      .description('Ingest, curate, train and evaluate SigLIP 2-style multilingual vision-language encoders')
      .version(pkg.version, '-V, --version'),
  );
  const verbs = [
    registerDemo,
    registerIngest,
    registerCurate,
    registerTrain,
    registerEval,
    registerReport,
    registerSchedule,
    registerStatus,
    registerShards,
    registerDatasets,
    registerWorker,
    registerDevServer,
  ];
  for (const register of verbs) register(program);
  program.exitOverride();
  return program;
}

/** Errors people can act on print one clear line; anything else is a bug and keeps its stack. */
function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof ConfigError || err instanceof TemporalConnectionError || err instanceof ToolNotFoundError) {
    console.error(`sigforge: ${err.message}`);
    return 1;
  }
  if (err instanceof Error && 'exitCode' in err && typeof err.exitCode === 'number') {
    console.error(`sigforge: ${err.message}`);
    return err.exitCode;
  }
  console.error(process.env.SIGFORGE_DEBUG ? err : `sigforge: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}
