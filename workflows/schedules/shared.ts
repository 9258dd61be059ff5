// Contracts of recurring work. Bundle-safe: types and constants only.
import type { IngestInput, IngestResult } from '../ingest/shared.js';

/** Input of `ingestNewListsWorkflow`: ingest every URL list under a folder that is not ingested yet. */
export interface IngestNewListsInput {
  /** Folder (local path or file:// URI, as the etl worker sees it) holding URL lists. */
  prefix: string;
  /** File-name suffixes that count as URL lists; default .parquet, .csv, .tsv, .jsonl. */
  suffixes?: string[];
  /** Ingest settings for every list (name, format, columns, image and fetch settings). */
  ingest: Omit<IngestInput, 'source' | 'retryFailed' | 'version'>;
}

/** Result of `ingestNewListsWorkflow`: one entry per list (already ingested lists answer from their manifest). */
export interface IngestNewListsResult {
  lists: { source: string; result: IngestResult }[];
}
