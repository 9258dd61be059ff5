import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { toLocalPath } from '../../pipelines/ingest/sources/io.js';

const DEFAULT_SUFFIXES = ['.parquet', '.csv', '.tsv', '.jsonl'];

/** Activities of recurring work. */
export function createScheduleActivities() {
  return {
    /** The URL lists under a folder, as file:// URIs in name order (a missing folder is a non-retryable error). */
    async listUrlLists(input: { prefix: string; suffixes?: string[] }): Promise<string[]> {
      const dir = toLocalPath(input.prefix);
      const suffixes = input.suffixes ?? DEFAULT_SUFFIXES;
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`${dir}: cannot list URL lists (${(err as Error).message})`, 'IngestInputError');
      }
      return names
        .filter((n) => suffixes.some((s) => n.endsWith(s)))
        .sort()
        .map((n) => pathToFileURL(path.join(dir, n)).href);
    },
  };
}

export type ScheduleActivities = ReturnType<typeof createScheduleActivities>;
