// Recurring ingest: each run lists the URL lists under a folder and ingests each one as a child workflow. Ingest
// versions hash the source and settings, so lists ingested by earlier runs answer from their manifest at once.
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { IngestResult } from '../ingest/shared.js';
import type { ScheduleActivities } from './activities.js';
import type { IngestNewListsInput, IngestNewListsResult } from './shared.js';

const { listUrlLists } = proxyActivities<ScheduleActivities>({
  taskQueue: 'etl',
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 5 },
});

/** Ingests every URL list under `prefix`; already ingested lists are no-ops. */
export async function ingestNewListsWorkflow(input: IngestNewListsInput): Promise<IngestNewListsResult> {
  const sources = await listUrlLists({ prefix: input.prefix, ...(input.suffixes ? { suffixes: input.suffixes } : {}) });
  const id = workflowInfo().workflowId;
  const lists: IngestNewListsResult['lists'] = [];
  // One list at a time: each ingest already fans out over its partitions.
  for (const [i, source] of sources.entries()) {
    const result = await executeChild<(x: unknown) => Promise<IngestResult>>('ingestWorkflow', {
      workflowId: `${id}-list-${i}`,
      taskQueue: 'etl',
      args: [{ ...input.ingest, source }],
    });
    lists.push({ source, result });
  }
  return { lists };
}
