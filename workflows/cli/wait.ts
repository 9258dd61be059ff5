import type { WorkflowHandle } from '@temporalio/client';

/**
 * Waits for a workflow's result while printing a progress line to stderr every `intervalMs`: rewritten in place on a
 * terminal, one line per update otherwise. A failed progress poll is skipped (the workflow may be between tasks).
 */
export async function waitWithProgress<T>(handle: WorkflowHandle, progress: () => Promise<string>, intervalMs: number): Promise<T> {
  const tty = process.stderr.isTTY;
  const timer = setInterval(() => {
    progress()
      .then((line) => process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`))
      .catch(() => undefined);
  }, intervalMs);
  try {
    const result = (await handle.result()) as T;
    if (tty) process.stderr.write('\n');
    return result;
  } finally {
    clearInterval(timer);
  }
}
