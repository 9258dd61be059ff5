/**
 * The Record contract (ARCHITECTURE.md): one image-text pair as it lives in a Parquet shard.
 * Every stage reads and writes this shape; failed rows are kept with `status !== 'ok'` and no image.
 */

/** Row status: `ok` or the kind of failure that kept the row from having an image. */
export type RecordStatus =
  | 'ok'
  | 'http_error'
  | 'timeout'
  | 'network_error'
  | 'too_large'
  | 'not_image'
  | 'decode_error'
  | 'too_small'
  | 'bad_aspect'
  | 'opted_out'
  | 'blocked_address'
  | 'redirect_loop'
  | 'invalid_input'
  /** A 200 response with a zero-byte body. */
  | 'empty'
  /** A body shorter than its Content-Length (the connection closed early). */
  | 'truncated';

/** Every status value, in a stable order (for schemas and stats). */
export const RECORD_STATUSES: readonly RecordStatus[] = [
  'ok',
  'http_error',
  'timeout',
  'network_error',
  'too_large',
  'not_image',
  'decode_error',
  'too_small',
  'bad_aspect',
  'opted_out',
  'blocked_address',
  'redirect_loop',
  'invalid_input',
  'empty',
  'truncated',
];

/** A labelled box in stored-image pixel coordinates (LocCa grounding targets). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  label: string;
}

/** One image-text pair. Nullable fields are null on failed rows. */
export interface DataRecord {
  /** Stable hash of source + url/path + caption. */
  id: string;
  source: string;
  url: string;
  /** Original caption; several alt-texts may be joined by curation into `alt_captions`. */
  caption: string;
  /** Alternative captions (e.g. other languages, merged duplicates); empty when none. */
  alt_captions: string[];
  lang: string | null;
  lang_score: number | null;
  /** Re-encoded image bytes (JPEG or WebP), aspect ratio kept. */
  image: Uint8Array | null;
  mime: string | null;
  width: number | null;
  height: number | null;
  orig_width: number | null;
  orig_height: number | null;
  /** Hex sha256 of the original downloaded bytes. */
  sha256: string | null;
  /** 64-bit perceptual hash. */
  phash: bigint | null;
  status: RecordStatus;
  error: string | null;
  /** Milliseconds since the epoch. */
  fetched_at: number;
  boxes: Box[] | null;
  /** Sensitive attributes / concepts found at curation, e.g. `["gender:woman", "occupation:doctor"]`. */
  attrs: string[] | null;
  /** Sampling weight set by curation (1 when unweighted). */
  weight: number | null;
  /**
   * Extra source columns kept at ingest (img2dataset's `save_additional_columns`) as JSON object text, e.g.
   * `{"license":"cc-by","id":7}`; null when none were asked for. Optional: shards written before the column existed
   * read back with null, and records built without it are written with null.
   */
  extra?: string | null;
  /**
   * The language the source itself gives for the caption (a `--lang-col` column, WebLI page language, LAION-multi's
   * `LANGUAGE`), as written there; `lang`/`lang_score` stay the identifier's guess. Optional: shards written before
   * the column existed read back with null.
   */
  lang_given?: string | null;
}

/** The shard schema version; bump when the Record contract changes incompatibly. */
export const RECORD_SCHEMA_VERSION = 1;
