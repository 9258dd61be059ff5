import { proxyActivities } from '@temporalio/workflow';
import type { SmokeActivities } from './activities.js';

const { writeText, readText } = proxyActivities<SmokeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

/** Input of {@link storageSmokeWorkflow}. */
export interface StorageSmokeInput {
  key: string;
  text: string;
}

/** Writes an object through an activity, reads it back through another, and checks both agree. */
export async function storageSmokeWorkflow(input: StorageSmokeInput): Promise<{ text: string; sha256: string }> {
  const written = await writeText(input);
  const read = await readText({ key: input.key });
  if (read.sha256 !== written.sha256) {
    throw new Error(`${input.key}: read-back sha256 ${read.sha256} differs from written ${written.sha256}`);
  }
  return read;
}
