import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { TemporalConnectionError } from '../connection.js';
import { ToolNotFoundError } from '../dev/tools.js';
import { addGlobalOptions } from './context.js';
import { register as registerBatches } from './commands/batches.js';
import { register as registerCurate } from './commands/curate.js';
import { register as registerDatasets } from './commands/datasets.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerDevServer } from './commands/dev-server.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerIngest } from './commands/ingest.js';
import { register as registerPipeline } from './commands/pipeline.js';
import { register as registerReport } from './commands/report.js';
import { register as registerSchedule } from './commands/schedule.js';
import { register as registerShards } from './commands/shards.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerStorage } from './commands/storage.js';
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
    registerPipeline,
    registerReport,
    registerSchedule,
    registerStatus,
    registerShards,
    registerDatasets,
    registerBatches,
    registerStorage,
    registerWorker,
    registerDevServer,
  ];
  for (const register of verbs) register(program);
  // Options after a verb belong to the verb: `sigforge train --config run.yaml` is train's run config, not the
  // settings file (without this the root would take every --config). Each verb gets its own copy of the shared
  // options it does not define itself, so `sigforge ingest --temporal-address …` keeps working after the verb.
  program.enablePositionalOptions();
  const shareGlobals = (cmd: Command): void => {
    if (cmd.commands.length > 0) {
      cmd.commands.forEach(shareGlobals);
      return;
    }
    const own = new Set(cmd.options.map((o) => o.long));
    const copy = addGlobalOptions(new Command());
    for (const o of copy.options) if (!own.has(o.long)) cmd.addOption(o);
  };
  program.commands.forEach(shareGlobals);
  program.exitOverride();
  return program;
}

/**
 * The verb a command line names when it is not one of the program's (`sigforge frob --help`, `sigforge help frob`),
 * else null. Commander prints the general help and exits 0 for those forms; naming the verb and exiting 1 is clearer.
 */
export function unknownVerb(program: Command, args: string[]): string | null {
  const verbs = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return null;
    if (a.startsWith('-')) {
      if (!a.includes('=') && takesValue.has(a)) i++;
      continue;
    }
    if (a === 'help') {
      const next = args[i + 1];
      return next !== undefined && !next.startsWith('-') && !verbs.has(next) ? next : null;
    }
    return verbs.has(a) ? null : a;
  }
  return null;
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
  const program = buildProgram();
  const verb = unknownVerb(program, process.argv.slice(2));
  if (verb !== null) {
    console.error(`sigforge: unknown command ${JSON.stringify(verb)} (commands: ${program.commands.map((c) => c.name()).join(', ')})`);
    process.exitCode = 1;
  } else {
    await program.parseAsync(process.argv);
  }
} catch (err) {
  process.exitCode = report(err);
}
