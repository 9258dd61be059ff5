import { type Command } from 'commander';
import { connectClient } from '../../connection.js';
import { createEvalSchedule, listEvalSchedules } from '../../eval/schedule.js';
import { commandConfig } from '../context.js';
import { evalInputFromFlags } from './eval.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** `sigforge schedule {create eval, list, delete}`: Temporal Schedules for recurring work. */
export function register(program: Command): void {
  const schedule = program.command('schedule').description('create, list and delete Temporal Schedules for recurring work');
  const create = schedule.command('create').description('create a schedule');
  create
    .command('eval')
    .description('evaluate a model or the newest checkpoint of a training run periodically')
    .requiredOption('--id <scheduleId>', 'schedule id')
    .requiredOption('--model <uri>', 'model directory or training run (its newest checkpoint at each run); repeatable', collect)
    .requiredOption('--suite <name|file>', 'suite name or .json/.yaml file; repeatable', collect)
    .option('--every <duration>', 'interval, e.g. 30m, 6h, 1d')
    .option('--cron <expr>', 'cron expression instead of --every')
    .option('--note <text>', 'a note shown with the schedule')
    .action(async (o: { id: string; model: string[]; suite: string[]; every?: string; cron?: string; note?: string }, command: Command) => {
      const config = commandConfig(command);
      const client = await connectClient(config.temporal);
      try {
        const id = await createEvalSchedule(client, {
          scheduleId: o.id,
          ...(o.every !== undefined && { every: o.every }),
          ...(o.cron !== undefined && { cron: o.cron }),
          ...(o.note !== undefined && { note: o.note }),
          input: evalInputFromFlags({ model: o.model, suite: o.suite }),
        });
        console.log(id);
      } finally {
        await client.connection.close();
      }
    });
  schedule
    .command('list')
    .description('list schedules')
    .action(async (_o: unknown, command: Command) => {
      const client = await connectClient(commandConfig(command).temporal);
      try {
        for (const s of await listEvalSchedules(client)) console.log(`${s.id}\t${s.workflowType}\tnext ${s.nextRun ?? '-'}`);
      } finally {
        await client.connection.close();
      }
    });
  schedule
    .command('delete <scheduleId>')
    .description('delete a schedule')
    .action(async (id: string, _o: unknown, command: Command) => {
      const client = await connectClient(commandConfig(command).temporal);
      try {
        await client.schedule.getHandle(id).delete();
        console.log(`deleted ${id}`);
      } finally {
        await client.connection.close();
      }
    });
}
