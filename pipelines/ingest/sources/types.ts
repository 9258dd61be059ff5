/**
 * The source contract: a source is a stable, indexable sequence of rows (an image reference and its captions).
 * Partitions are index ranges, so an activity can re-read exactly its slice after a crash.
 */
import { z } from 'zod';
import { IngestInputError } from '../errors.js';

/** A JSON value (what an extra column's cell becomes). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One input row. Remote rows carry an http(s) `url`; stored rows (folders, tars, on disk or S3) also carry `load`. */
export interface SourceRow {
  /** Position in the source; stable across reads. */
  index: number;
  /** The record id to keep (a retried row keeps its earlier record's id); absent: derived from source and index. */
  id?: string;
  /**
   * http(s) URL, or where a stored row's image is: `file://…` or `s3://bucket/key` (folders), `tar:///shard#member`
   * (tars on disk), `s3://bucket/shard.tar#member` (tars on S3).
   */
  url: string;
  caption: string;
  alt_captions: string[];
  /** Values of the requested extra columns by name (null where the row has none); absent when none were asked for. */
  extra?: { [column: string]: JsonValue };
  /** The caption's language as the source's `langColumn` gives it (trimmed; null when empty); absent without one. */
  lang?: string | null;
  /** Reads the image bytes of a stored row; absent for rows to fetch over HTTP. */
  load?: () => Promise<Uint8Array>;
}

/** A source opened on a URI: counts its rows and reads index ranges. */
export interface Source {
  count(): Promise<number>;
  /** Rows with index in [start, end), in index order. */
  rows(start: number, end: number): AsyncIterable<SourceRow>;
  /**
   * Rows per file in read order, for sources of many files that must be scanned to be counted (tar shards): the
   * plan learns them once with `count()`, and partitions opened with them as {@link SourceHints} skip the files
   * before their range instead of scanning every one of them again.
   */
  fileRows?(): Promise<FileRows[]>;
}

/** Rows of one file of a multi-file source. */
export interface FileRows {
  file: string;
  rows: number;
}

/** What an earlier open of the same source learned (see {@link Source.fileRows}). */
export interface SourceHints {
  fileRows?: readonly FileRows[];
}

/** Column settings for tabular sources (img2dataset-style). */
export const SourceOptionsSchema = z.object({
  urlColumn: z.string().default('url'),
  /** Caption column(s): the first is the caption, the others alternative captions (e.g. other languages). */
  captionColumns: z.array(z.string()).default(['caption']),
  /**
   * Columns kept as they are in each record's `extra` (img2dataset's `save_additional_columns`); for folders and
   * WebDataset tars, keys of the sidecar `.json`. A column the source lacks is an error.
   */
  extraColumns: z.array(z.string().min(1)).default([]),
  /**
   * Column holding each caption's language as the source gives it (LAION-multi's `LANGUAGE`, a page language); kept
   * in the record's `lang_given` next to the detected `lang`. A column the source lacks is an error.
   */
  langColumn: z.string().min(1).optional(),
  /** Languages the source declares (ISO 639-1): the identifier guesses only among them (readers ignore it). */
  languages: z.array(z.string().min(1)).min(1).optional(),
});
/** Parsed source settings. */
export type SourceOptions = z.infer<typeof SourceOptionsSchema>;

/**
 * File access a source needs (passed in so sources stay testable and storage-agnostic). Paths are what the IO
 * hands out: absolute local paths, or `s3://bucket/key` URIs.
 */
export interface SourceIO {
  readFile(path: string): Promise<Uint8Array>;
  /** Reads `length` bytes at `offset`. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  size(path: string): Promise<number>;
  /** Lists regular files under a directory (or S3 prefix), recursively, as sorted paths. */
  listFiles(dir: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
  /** The URI of a path, as rows read from it carry it (`file://…`, `s3://…`). */
  href(path: string): string;
  /**
   * Block size worth fetching around small reads of `path` when scanning (object stores, where each request costs
   * a round trip); absent or 0: read exactly what is asked (local disk).
   */
  readAhead?(path: string): number;
}

/** Builds a Source for a URI. */
export type SourceFactory = (path: string, options: SourceOptions, io: SourceIO, hints?: SourceHints) => Source;

/** A cell as JSON: bigints become numbers (or decimal strings beyond 2^53), dates ISO strings, bytes base64. */
export function toJsonValue(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return String(v);
}

/** The extra columns of one row, read by `get`; undefined when none were asked for. */
export function extraFrom(columns: readonly string[], get: (column: string) => unknown): SourceRow['extra'] {
  if (columns.length === 0) return undefined;
  return Object.fromEntries(columns.map((c) => [c, toJsonValue(get(c))]));
}

/** Parses a sidecar `.json` (folders, tar members) as an object; throws IngestInputError naming `where`. */
export function parseSidecar(text: string, where: string): { [key: string]: unknown } {
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (cause) {
    throw new IngestInputError(`sidecar is not valid JSON: ${(cause as Error).message}`, where, { cause });
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new IngestInputError('sidecar is not a JSON object', where);
  return meta as { [key: string]: unknown };
}

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
