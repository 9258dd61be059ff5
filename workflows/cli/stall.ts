// What a waiting CLI says when a workflow does not move: from the workflow's pending workflow task and activities
// (Temporal's describe), not from guesses. Pure, so the wording is tested without a server.

/** One pending activity as describe() reports it. */
export interface PendingActivity {
  type: string;
  started: boolean;
  attempt: number;
  lastFailure: string | null;
  lastHeartbeatMs: number | null;
  scheduledMs: number | null;
  lastStartedMs: number | null;
}

/** The pending work of a workflow. */
export interface PendingState {
  taskQueue: string;
  workflowTaskScheduledMs: number | null;
  activities: PendingActivity[];
}

/** How long a scheduled task may wait, or a started one go without a heartbeat, before the line says so. */
export const STALL_AFTER_MS = Number(process.env.SIGFORGE_STALL_AFTER_MS ?? 15_000);

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

/** A short reason the workflow is not moving, or null when it is. */
export function describeStall(state: PendingState | null, nowMs: number): string | null {
  if (state === null) return null;
  const parts: string[] = [];
  const wt = state.workflowTaskScheduledMs;
  if (wt !== null && nowMs - wt > STALL_AFTER_MS) {
    parts.push(`no worker has taken the workflow task for ${secs(nowMs - wt)} — is a worker serving queue ${state.taskQueue}?`);
  }
  for (const a of state.activities) {
    const attempt = a.attempt > 1 ? `attempt ${a.attempt}` : '';
    const failure = a.lastFailure ? `last failure: ${a.lastFailure.slice(0, 200)}` : '';
    const detail = [attempt, failure].filter(Boolean).join(', ');
    if (!a.started) {
      const since = a.scheduledMs ?? a.lastStartedMs;
      if (since !== null && nowMs - since > STALL_AFTER_MS) {
        parts.push(`${a.type} waiting for a worker for ${secs(nowMs - since)}${detail ? ` (${detail})` : ''} — is a worker serving its queue?`);
      } else if (detail) {
        parts.push(`${a.type} ${detail}`);
      }
      continue;
    }
    const beat = a.lastHeartbeatMs ?? a.lastStartedMs;
    if (beat !== null && nowMs - beat > STALL_AFTER_MS) {
      parts.push(`${a.type}: no heartbeat for ${secs(nowMs - beat)}${detail ? ` (${detail})` : ''} — is its worker alive?`);
    } else if (detail) {
      parts.push(`${a.type} ${detail}`);
    }
  }
  return parts.length > 0 ? parts.join('; ') : null;
}
