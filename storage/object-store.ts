/**
 * The one storage interface every stage uses: local disk and S3 behave the same.
 * Keys are relative, "/"-separated paths under the store's root URI (see keys.ts).
 */

/** Result of a completed `put`. */
export interface PutResult {
  size: number;
  /** Hex sha256 of the stored bytes. */
  sha256: string;
}

/** What `head` knows about an object. */
export interface ObjectInfo {
  size: number;
  /** Hex sha256 when the backend recorded it (S3 objects written by this store). */
  sha256?: string;
  /** The backend's entity tag (S3), which changes when the object is rewritten; absent on local disk. */
  etag?: string;
}

/** One entry of `list`. */
export interface ListEntry {
  key: string;
  size: number;
  /** The backend's entity tag (S3); absent on local disk. */
  etag?: string;
}

/** An object store rooted at one URI. */
export interface ObjectStore {
  /** `file:///abs/dir` or `s3://bucket/prefix`, without a trailing slash. */
  readonly rootUri: string;
  /** Reads a whole object; NotFoundError if absent; ChecksumMismatchError if a recorded sha256 differs. */
  get(key: string): Promise<Uint8Array>;
  /** Reads `length` bytes from `offset`; the range must lie inside the object. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Writes an object atomically (never visible half-written) and returns its size and sha256.
   * A streamed body's chunks may still be in flight after the next one is requested: never reuse their memory.
   */
  put(key: string, body: PutBody): Promise<PutResult>;
  /** Creates an object only if absent; AlreadyExistsError otherwise (the manifest commit primitive). */
  putIfAbsent(key: string, body: Uint8Array): Promise<void>;
  /** Size (and sha256 where known) of an object, or null if absent. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Every object whose key starts with `prefix`, in key order, paginated underneath. */
  list(prefix: string): AsyncIterable<ListEntry>;
  /** Deletes an object; deleting an absent object is not an error. */
  delete(key: string): Promise<void>;
  /** The full URI of a key. */
  uri(key: string): string;
}

/** S3 connection settings; anything unset comes from the environment or the standard AWS chain. */
export interface S3Options {
  /** e.g. `http://127.0.0.1:9000`; default `$AWS_ENDPOINT_URL_S3`, `$AWS_ENDPOINT_URL`, then AWS. */
  endpoint?: string;
  /** Default `$AWS_REGION`, `$AWS_DEFAULT_REGION`, then `us-east-1`. */
  region?: string;
  /** Path-style addressing (MinIO); default true when an endpoint is set. */
  forcePathStyle?: boolean;
  /** Static credentials; default the standard AWS chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request including the first (jittered exponential backoff); default 5. */
  maxAttempts?: number;
  /** Bodies larger than this go up as multipart uploads; default 16 MiB (minimum 5 MiB). */
  multipartThreshold?: number;
  /** Keys per ListObjectsV2 page; default 1000 (the S3 maximum). */
  listPageSize?: number;
}

/** Options for {@link openStore}. */
export interface StoreOptions {
  s3?: S3Options;
}

/**
 * One chunk of a streamed body: bytes, or a gather list of byte ranges that follow each other in the object (a
 * Parquet page of many images without first copying them together; the local store writes it with one writev).
 */
export type BodyChunk = Uint8Array | readonly Uint8Array[];

/** What `put` accepts: the whole object, or its chunks in order. */
export type PutBody = Uint8Array | AsyncIterable<BodyChunk>;

/** Reads a body as a stream of contiguous chunks (a gather list is joined into one). */
export async function* chunksOf(body: PutBody): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  for await (const chunk of body) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (chunk.length === 1) yield chunk[0]!;
    else if (chunk.length > 1) yield Buffer.concat(chunk);
  }
}

/** Reads a body as a stream of gather lists (a single buffer is a list of one). */
export async function* gatherListsOf(body: PutBody): AsyncIterable<readonly Uint8Array[]> {
  if (body instanceof Uint8Array) {
    yield [body];
    return;
  }
  for await (const chunk of body) yield chunk instanceof Uint8Array ? [chunk] : chunk;
}
