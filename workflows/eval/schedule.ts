// Temporal Schedules that evaluate periodically: each action starts evaluateWorkflow, whose model references are
// resolved when it runs, so a training run's directory means its newest checkpoint at that time.
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { EvalConfigError } from '../../model/eval/errors.js';
import { EVAL_TASK_QUEUE, type EvaluateInput } from './shared.js';

/** Options of {@link createEvalSchedule}: exactly one of `every` (e.g. `1h`, `30m`) or `cron`. */
export interface EvalScheduleOptions {
  scheduleId: string;
  every?: string;
  cron?: string;
  input: EvaluateInput;
  note?: string;
}

const DURATION = /^\d+(ms|s|m|h|d)$/;

/** Creates a schedule that runs evaluateWorkflow on the `eval` queue; overlapping runs are skipped. */
export async function createEvalSchedule(client: Client, o: EvalScheduleOptions): Promise<string> {
  if ((o.every === undefined) === (o.cron === undefined)) throw new EvalConfigError('give exactly one of --every or --cron', 'schedule');
  if (o.every !== undefined && !DURATION.test(o.every)) throw new EvalConfigError(`--every ${JSON.stringify(o.every)}: expected a duration like 30m, 1h or 1d`, 'every');
  if (o.input.models.length === 0 || o.input.suites.length === 0) throw new EvalConfigError('a schedule needs at least one model and one suite', 'schedule');
  const handle = await client.schedule.create({
    scheduleId: o.scheduleId,
    spec: o.every !== undefined ? { intervals: [{ every: o.every as `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` }] } : { cronExpressions: [o.cron!] },
    action: { type: 'startWorkflow', workflowType: 'evaluateWorkflow', taskQueue: EVAL_TASK_QUEUE, args: [o.input] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    ...(o.note !== undefined && { state: { note: o.note } }),
  });
  return handle.scheduleId;
}

/** Lists schedules whose action is evaluateWorkflow: id, spec summary and next run. */
export async function listEvalSchedules(client: Client): Promise<{ id: string; workflowType: string; nextRun: string | null }[]> {
  const out: { id: string; workflowType: string; nextRun: string | null }[] = [];
  for await (const s of client.schedule.list()) {
    const workflowType = s.action?.type === 'startWorkflow' ? s.action.workflowType : '';
    out.push({ id: s.scheduleId, workflowType, nextRun: s.info.nextActionTimes[0]?.toISOString() ?? null });
  }
  return out;
}
