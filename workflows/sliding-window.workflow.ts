// Bounded fan-out for workflow code (bundle-safe: only @temporalio/workflow): the one sliding window that ingest
// (partitions) and curate (shards) use, so both start, await and fail their activities the same way.
import { condition } from '@temporalio/workflow';

/**
 * Runs `task(i)` for i in [from, to) with at most `window` in flight; resolves to the results in index order
 * (`results[i - from]`) once all have settled; the first failure stops new starts and is thrown at the end.
 */
export async function slidingWindow<T>(
  from: number,
  to: number,
  window: number,
  task: (i: number) => Promise<T>,
  onDone: (r: T) => void,
): Promise<T[]> {
  const results: T[] = new Array<T>(Math.max(0, to - from));
  let running = 0;
  let failure: unknown = null;
  for (let i = from; i < to; i++) {
    await condition(() => running < window || failure !== null);
    if (failure !== null) break;
    running++;
    task(i).then(
      (r) => {
        running--;
        results[i - from] = r;
        onDone(r);
      },
      (err: unknown) => {
        running--;
        failure ??= err;
      },
    );
  }
  await condition(() => running === 0);
  if (failure !== null) throw failure;
  return results;
}
