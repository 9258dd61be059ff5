import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { isS3Uri, toLocalPath } from '../../pipelines/ingest/sources/io.js';
import { closeStore, createStores, parseRootUri, type ParsedRoot, StorageError, type S3Options } from '../../storage/index.js';

const DEFAULT_SUFFIXES = ['.parquet', '.csv', '.tsv', '.jsonl'];

/** What the schedule activities need from the worker. */
export interface ScheduleDeps {
  /** S3 settings for `s3://` prefixes (the worker's `storage.s3`); default the AWS chain. */
  s3?: S3Options;
}

/** The objects directly under `s3://bucket/prefix/` (not in deeper folders), as s3:// URIs. */
async function listS3(prefix: string, s3: S3Options | undefined): Promise<string[]> {
  const bad = (why: string): ApplicationFailure => ApplicationFailure.nonRetryable(`${prefix}: not an s3://bucket/prefix URI (${why})`, 'IngestInputError');
  let root: ParsedRoot;
  try {
    root = parseRootUri(prefix);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (root.kind !== 's3') throw bad(`a ${root.kind} URI`);
  const { bucket, prefix: key } = root;
  const store = createStores(s3 ? { s3 } : {}).open(`s3://${bucket}`);
  const dir = key === '' ? '' : `${key}/`;
  const out: string[] = [];
  try {
    for await (const e of store.list(dir)) if (!e.key.slice(dir.length).includes('/')) out.push(`s3://${bucket}/${e.key}`);
  } catch (err) {
    // A missing bucket or bad credentials will not fix themselves: fail the run, naming the prefix.
    if (err instanceof StorageError) throw ApplicationFailure.nonRetryable(`${prefix}: cannot list URL lists (${err.message})`, 'IngestInputError');
    throw err;
  } finally {
    closeStore(store);
  }
  return out;
}

/** Activities of recurring work. */
export function createScheduleActivities(deps: ScheduleDeps = {}) {
  return {
    /**
     * The URL lists directly under a folder or an s3:// prefix, as file:// or s3:// URIs in name order (a missing
     * folder or bucket is a non-retryable error; an empty S3 prefix is simply empty, as S3 has no folders).
     */
    async listUrlLists(input: { prefix: string; suffixes?: string[] }): Promise<string[]> {
      const suffixes = input.suffixes ?? DEFAULT_SUFFIXES;
      const wanted = (n: string): boolean => suffixes.some((s) => n.endsWith(s));
      if (isS3Uri(input.prefix)) return (await listS3(input.prefix, deps.s3)).filter(wanted).sort();
      const dir = toLocalPath(input.prefix);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`${dir}: cannot list URL lists (${(err as Error).message})`, 'IngestInputError');
      }
      return names
        .filter(wanted)
        .sort()
        .map((n) => pathToFileURL(path.join(dir, n)).href);
    },
  };
}

export type ScheduleActivities = ReturnType<typeof createScheduleActivities>;
