import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { describeStall, type PendingState } from './stall.js';

/** A workflow that ended in failure, with the cause chain in the message (the history has no more than this). */
export class WorkflowRunError extends Error {
  override readonly name = 'WorkflowRunError';
  readonly exitCode = 1;
  constructor(
    readonly workflowId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The messages of an error and its causes, outermost first, without repeats ("Activity task failed" and so on). */
export function causeChain(err: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const m = e.message.trim();
    if (m !== '' && !out.includes(m)) out.push(m);
  }
  return out;
}

/** Turns a failed workflow result into an error whose message names the workflow and the root cause. */
export function workflowFailure(workflowId: string, err: unknown): unknown {
  if (!(err instanceof WorkflowFailedError)) return err;
  const chain = causeChain(err.cause);
  const root = chain.at(-1) ?? 'no cause recorded';
  const via = chain.length > 1 ? ` (via: ${chain.slice(0, -1).join(' → ')})` : '';
  return new WorkflowRunError(workflowId, `workflow ${workflowId} failed: ${root}${via}`, { cause: err });
}

async function pendingState(handle: WorkflowHandle): Promise<PendingState> {
  const d = await handle.describe();
  const raw = d.raw;
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number | null =>
    t?.seconds == null ? null : Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  return {
    taskQueue: d.taskQueue,
    workflowTaskScheduledMs: ms(raw.pendingWorkflowTask?.scheduledTime),
    activities: (raw.pendingActivities ?? []).map((a) => ({
      type: a.activityType?.name ?? 'activity',
      started: Number(a.state) === 2, // PENDING_ACTIVITY_STATE_STARTED
      attempt: a.attempt ?? 1,
      lastFailure: a.lastFailure?.message ?? null,
      lastHeartbeatMs: ms(a.lastHeartbeatTime),
      scheduledMs: ms(a.scheduledTime),
      lastStartedMs: ms(a.lastStartedTime),
    })),
  };
}

/**
 * Waits for a workflow's result while printing a progress line to stderr every `intervalMs`: rewritten in place on a
 * terminal, one line per update otherwise. When nothing moves, the line says why (no worker on the queue, no heartbeat,
 * the attempt and its last failure). One progress call is in flight at a time, and it is settled before the result is
 * returned, so closing the connection afterwards never races a poll (grpc-js throws "Channel has been shut down" from a
 * retry timer otherwise). A failed workflow throws {@link WorkflowRunError} naming its cause.
 */
export async function waitWithProgress<T>(handle: WorkflowHandle, progress: () => Promise<string>, intervalMs: number): Promise<T> {
  const tty = process.stderr.isTTY;
  const abort = new AbortController();
  let inFlight: Promise<void> | null = null;
  let tick = 0;
  let lastLine = '';
  let stall: string | null = null;
  const poll = async () => {
    const line = await progress().catch(() => lastLine);
    if (tick % 5 === 1 || stall !== null) stall = describeStall(await pendingState(handle).catch(() => null), Date.now());
    lastLine = line;
    const text = stall ? `${line} — ${stall}` : line;
    if (text !== '' && !abort.signal.aborted) process.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
  };
  const timer = setInterval(() => {
    if (inFlight) return;
    tick++;
    inFlight = handle.client.withAbortSignal(abort.signal, poll).catch(() => undefined).finally(() => (inFlight = null));
  }, intervalMs);
  try {
    const result = (await handle.result()) as T;
    if (tty) process.stderr.write('\n');
    return result;
  } catch (err) {
    if (tty) process.stderr.write('\n');
    throw workflowFailure(handle.workflowId, err);
  } finally {
    clearInterval(timer);
    abort.abort();
    await inFlight;
  }
}
