/**
 * The source contract: a source is a stable, indexable sequence of rows (an image reference and its captions).
 * Partitions are index ranges, so an activity can re-read exactly its slice after a crash.
 */
import { z } from 'zod';

/** One input row. Remote rows carry an http(s) `url`; local rows (folders, tars) also carry `load`. */
export interface SourceRow {
  /** Position in the source; stable across reads. */
  index: number;
  /** http(s) URL, or a local reference (`file://…`, `tar://shard#member`) for local rows. */
  url: string;
  caption: string;
  alt_captions: string[];
  /** Reads the image bytes of a local row; absent for rows to fetch over HTTP. */
  load?: () => Promise<Uint8Array>;
}

/** A source opened on a URI: counts its rows and reads index ranges. */
export interface Source {
  count(): Promise<number>;
  /** Rows with index in [start, end), in index order. */
  rows(start: number, end: number): AsyncIterable<SourceRow>;
}

/** Column settings for tabular sources (img2dataset-style). */
export const SourceOptionsSchema = z.object({
  urlColumn: z.string().default('url'),
  /** Caption column(s): the first is the caption, the others alternative captions (e.g. other languages). */
  captionColumns: z.array(z.string()).default(['caption']),
});
/** Parsed source settings. */
export type SourceOptions = z.infer<typeof SourceOptionsSchema>;

/** File-system access a source needs (passed in so sources stay testable and storage-agnostic). */
export interface SourceIO {
  readFile(path: string): Promise<Uint8Array>;
  /** Reads `length` bytes at `offset`. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  size(path: string): Promise<number>;
  /** Lists regular files under a directory, recursively, as sorted absolute paths. */
  listFiles(dir: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
}

/** Builds a Source for a URI. */
export type SourceFactory = (path: string, options: SourceOptions, io: SourceIO) => Source;

/** Splits a caption cell: arrays become caption + alternatives, strings stay single. */
export function captionsFrom(values: unknown[]): { caption: string; alt_captions: string[] } {
  const all: string[] = [];
  for (const v of values) {
    if (Array.isArray(v)) all.push(...v.filter((x): x is string => typeof x === 'string'));
    else if (typeof v === 'string') all.push(v);
    else if (v !== null && v !== undefined) all.push(String(v));
  }
  const nonEmpty = all.map((s) => s.trim()).filter((s) => s.length > 0);
  return { caption: nonEmpty[0] ?? '', alt_captions: nonEmpty.slice(1) };
}
