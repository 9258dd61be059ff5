// Temporal Schedules that evaluate periodically: each action starts evaluateWorkflow, whose model references are
// resolved when it runs, so a training run's directory means its newest checkpoint at that time.
import { type Client } from '@temporalio/client';
import { EvalConfigError } from '../../model/eval/errors.js';
import { createSchedule, type OverlapName } from '../schedules/schedule.js';
import { type EvaluateInput } from './shared.js';

/** Options of {@link createEvalSchedule}: exactly one of `every` (e.g. `1h`, `30m`) or `cron`. */
export interface EvalScheduleOptions {
  scheduleId: string;
  every?: string;
  cron?: string;
  input: EvaluateInput;
  note?: string;
  overlap?: OverlapName;
}

/** Creates a schedule that runs evaluateWorkflow on the `eval` queue; overlapping runs are skipped by default. */
export async function createEvalSchedule(client: Client, o: EvalScheduleOptions): Promise<string> {
  if (o.input.models.length === 0 || o.input.suites.length === 0) throw new EvalConfigError('a schedule needs at least one model and one suite', 'schedule');
  return await createSchedule(client, { ...o, kind: 'eval' });
}
