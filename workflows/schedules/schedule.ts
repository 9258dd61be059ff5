// Temporal Schedules for recurring work: ingest new URL lists, curate incrementally, evaluate newest checkpoints.
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { ConfigError } from '../config.js';

/** What a schedule can run, and where. */
export const SCHEDULE_KINDS = {
  ingest: { workflowType: 'ingestNewListsWorkflow', taskQueue: 'etl' },
  curate: { workflowType: 'curateWorkflow', taskQueue: 'etl' },
  eval: { workflowType: 'evaluateWorkflow', taskQueue: 'eval' },
} as const;
export type ScheduleKind = keyof typeof SCHEDULE_KINDS;

/** Overlap policies by their CLI names: what happens when a run is due while the previous one still runs. */
export const OVERLAP_POLICIES = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
} as const;
export type OverlapName = keyof typeof OVERLAP_POLICIES;

/** Options of {@link createSchedule}: exactly one of `every` (e.g. `30m`, `1h`, `1d`) or `cron`. */
export interface ScheduleOptions {
  scheduleId: string;
  kind: ScheduleKind;
  every?: string;
  cron?: string;
  /** Default `skip`: a run due while the previous one still runs is dropped. */
  overlap?: OverlapName;
  /** The workflow's input (validated by its first activity when it runs). */
  input: unknown;
  note?: string;
  paused?: boolean;
}

const DURATION = /^\d+(ms|s|m|h|d)$/;

/** Creates a schedule; invalid timing or overlap names raise a ConfigError naming the flag. */
export async function createSchedule(client: Client, o: ScheduleOptions): Promise<string> {
  if ((o.every === undefined) === (o.cron === undefined)) throw new ConfigError('--every/--cron', 'give exactly one of them', 'flags');
  if (o.every !== undefined && !DURATION.test(o.every)) {
    throw new ConfigError('--every', `expected a duration like 30m, 1h or 1d, got ${JSON.stringify(o.every)}`, 'flags');
  }
  const overlap = o.overlap ?? 'skip';
  if (!(overlap in OVERLAP_POLICIES)) {
    throw new ConfigError('--overlap', `unknown policy ${JSON.stringify(overlap)}; valid: ${Object.keys(OVERLAP_POLICIES).join(', ')}`, 'flags');
  }
  const { workflowType, taskQueue } = SCHEDULE_KINDS[o.kind];
  const handle = await client.schedule.create({
    scheduleId: o.scheduleId,
    spec: o.every !== undefined ? { intervals: [{ every: o.every as `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` }] } : { cronExpressions: [o.cron!] },
    action: { type: 'startWorkflow', workflowType, taskQueue, args: [o.input] },
    policies: { overlap: OVERLAP_POLICIES[overlap] },
    state: { ...(o.note !== undefined && { note: o.note }), ...(o.paused && { paused: true }) },
  });
  return handle.scheduleId;
}

/** One schedule as `schedule list` shows it. */
export interface ScheduleSummary {
  id: string;
  workflowType: string;
  paused: boolean;
  nextRun: string | null;
  lastRun: string | null;
  note: string | null;
}

/** Lists every schedule of the namespace. */
export async function listSchedules(client: Client): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  for await (const s of client.schedule.list()) {
    out.push({
      id: s.scheduleId,
      workflowType: s.action?.type === 'startWorkflow' ? s.action.workflowType : '',
      paused: s.state.paused,
      nextRun: s.info.nextActionTimes[0]?.toISOString() ?? null,
      lastRun: s.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
      note: s.state.note ?? null,
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}
