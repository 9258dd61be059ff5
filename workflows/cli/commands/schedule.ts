import { type Command } from 'commander';
import { type Client } from '@temporalio/client';
import { connectClient } from '../../connection.js';
import { createEvalSchedule } from '../../eval/schedule.js';
import { createSchedule, listSchedules, OVERLAP_POLICIES, type OverlapName, type ScheduleKind } from '../../schedules/schedule.js';
import { commandConfig } from '../context.js';
import { evalInputFromFlags } from './eval.js';
import { ingestInputFromFlags } from './ingest.js';
import { ConfigError, readConfigFile, storesFromConfig } from '../../config.js';
import { parseCurateConfig } from '../../../pipelines/curate/config.js';
import { splitCurateConfigFile } from './curate.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

interface TimingFlags {
  id: string;
  every?: string;
  cron?: string;
  overlap?: string;
  note?: string;
  paused?: boolean;
}

function timing(o: TimingFlags) {
  return {
    scheduleId: o.id,
    ...(o.every !== undefined && { every: o.every }),
    ...(o.cron !== undefined && { cron: o.cron }),
    ...(o.overlap !== undefined && { overlap: o.overlap as OverlapName }),
    ...(o.note !== undefined && { note: o.note }),
    ...(o.paused && { paused: true }),
  };
}

function withTiming(cmd: Command): Command {
  return cmd
    .requiredOption('--id <scheduleId>', 'schedule id')
    .option('--every <duration>', 'interval, e.g. 30m, 6h, 1d')
    .option('--cron <expr>', 'cron expression instead of --every')
    .option('--overlap <policy>', `when a run is due while the last still runs: ${Object.keys(OVERLAP_POLICIES).join(', ')}`, 'skip')
    .option('--note <text>', 'a note shown with the schedule')
    .option('--paused', 'create it paused');
}

async function withClient(command: Command, fn: (client: Client) => Promise<void>): Promise<void> {
  const client = await connectClient(commandConfig(command).temporal);
  try {
    await fn(client);
  } finally {
    await client.connection.close();
  }
}

/** `sigforge schedule {create ingest|curate|eval, list, pause, unpause, trigger, backfill, delete}`. */
export function register(program: Command): void {
  const schedule = program.command('schedule').description('create, list, pause and delete Temporal Schedules for recurring work');
  const create = schedule.command('create').description('create a schedule');

  withTiming(create.command('ingest').description('ingest every new URL list under a folder, periodically'))
    .requiredOption('--prefix <dir>', 'folder (as the etl workers see it) or s3://bucket/prefix where new URL lists arrive')
    .requiredOption('--name <dataset>', 'raw dataset the lists are ingested into (one version per list)')
    .option('--format <name>', 'source format of the lists (detected when omitted)')
    .option('--url-col <name>', 'URL column')
    .option('--caption-cols <list>', 'caption columns, comma-separated')
    .action(async (o: TimingFlags & { prefix: string; name: string; format?: string; urlCol?: string; captionCols?: string }, command: Command) => {
      const root = commandConfig(command).storage.root;
      const { source: _source, ...ingest } = ingestInputFromFlags({ ...o, source: o.prefix }, root);
      const prefix = _source!;
      await withClient(command, async (client) => {
        console.log(await createSchedule(client, { ...timing(o), kind: 'ingest', input: { prefix, ingest } }));
      });
    });

  withTiming(create.command('curate').description('curate the newest raw version incrementally, periodically'))
    .requiredOption('--input <dataset>', 'raw dataset, usually name@latest (resolved at each run)')
    .requiredOption('--name <out>', 'curated dataset to write')
    .requiredOption('--curate-config <file>', 'curation config (YAML or JSON), read and validated now')
    .action(async (o: TimingFlags & { input: string; name: string; curateConfig: string }, command: Command) => {
      const config = parseCurateConfig(splitCurateConfigFile(readConfigFile(o.curateConfig)).curate);
      await withClient(command, async (client) => {
        const input = { input: o.input, name: o.name, config, incremental: true };
        console.log(await createSchedule(client, { ...timing(o), kind: 'curate' as ScheduleKind, input }));
      });
    });

  withTiming(create.command('eval').description('evaluate a model or the newest checkpoint of a training run periodically'))
    .requiredOption('--model <uri>', 'model directory or training run (its final checkpoint at each run; runs/x is under the storage root); repeatable', collect)
    .requiredOption('--suite <name|file>', 'suite name or .json/.yaml file; repeatable', collect)
    .action(async (o: TimingFlags & { model: string[]; suite: string[] }, command: Command) => {
      await withClient(command, async (client) => {
        const input = evalInputFromFlags({ model: o.model, suite: o.suite }, storesFromConfig(commandConfig(command)));
        console.log(await createEvalSchedule(client, { ...timing(o), input }));
      });
    });

  schedule
    .command('list')
    .description('list schedules: id, workflow, state, next and last run')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }, command: Command) => {
      await withClient(command, async (client) => {
        const all = await listSchedules(client);
        if (o.json) return void console.log(JSON.stringify(all, null, 2));
        if (all.length === 0) return void console.log('no schedules');
        for (const s of all) {
          console.log(`${s.id}\t${s.workflowType}\t${s.paused ? 'paused' : 'active'}\tnext ${s.nextRun ?? '-'}\tlast ${s.lastRun ?? '-'}${s.note ? `\t${s.note}` : ''}`);
        }
      });
    });

  const simple = (verb: string, description: string, fn: (client: Client, id: string) => Promise<string>) =>
    schedule
      .command(`${verb} <scheduleId>`)
      .description(description)
      .action(async (id: string, _o: unknown, command: Command) => {
        await withClient(command, async (client) => console.log(await fn(client, id)));
      });
  simple('pause', 'pause a schedule (no runs until unpaused)', async (c, id) => {
    await c.schedule.getHandle(id).pause('paused with sigforge schedule pause');
    return `paused ${id}`;
  });
  simple('unpause', 'resume a paused schedule', async (c, id) => {
    await c.schedule.getHandle(id).unpause('unpaused with sigforge schedule unpause');
    return `unpaused ${id}`;
  });
  simple('trigger', 'run a schedule now (once)', async (c, id) => {
    await c.schedule.getHandle(id).trigger();
    return `triggered ${id}`;
  });
  simple('delete', 'delete a schedule', async (c, id) => {
    await c.schedule.getHandle(id).delete();
    return `deleted ${id}`;
  });
  schedule
    .command('backfill <scheduleId>')
    .description('run the actions a schedule would have taken between two times')
    .requiredOption('--from <time>', 'start (ISO 8601)')
    .requiredOption('--to <time>', 'end (ISO 8601)')
    .action(async (id: string, o: { from: string; to: string }, command: Command) => {
      const [start, end] = [new Date(o.from), new Date(o.to)];
      if (Number.isNaN(start.getTime())) throw new ConfigError('--from', `not a time: ${JSON.stringify(o.from)}`, 'flags');
      if (Number.isNaN(end.getTime()) || end <= start) throw new ConfigError('--to', `not a time after --from: ${JSON.stringify(o.to)}`, 'flags');
      await withClient(command, async (client) => {
        await client.schedule.getHandle(id).backfill({ start, end, overlap: OVERLAP_POLICIES['allow-all'] });
        console.log(`backfilled ${id} from ${start.toISOString()} to ${end.toISOString()}`);
      });
    });
}
