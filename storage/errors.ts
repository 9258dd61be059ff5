/**
 * Storage errors: one base class with context fields and `cause`, one subclass per failure kind.
 * Messages name the subject (a key, URI or file) and the broken invariant; they never carry credentials.
 */

/** Base class of every error raised by storage/. */
export class StorageError extends Error {
  override readonly name: string = 'StorageError';
  /** The object key or URI the error is about, when there is one. */
  readonly subject: string | undefined;
  /** Whether retrying the same call may succeed (transient network or server trouble). */
  readonly retryable: boolean;

  constructor(message: string, options: { subject?: string; cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.subject = options.subject;
    this.retryable = options.retryable ?? false;
  }
}

/** A root URI that is not `file:///abs/dir` or `s3://bucket[/prefix]`. */
export class InvalidUriError extends StorageError {
  override readonly name = 'InvalidUriError';
}

/** A key that is empty, absolute, contains `.`/`..` segments or escapes the store root. */
export class InvalidKeyError extends StorageError {
  override readonly name = 'InvalidKeyError';
}

/** The object does not exist. */
export class NotFoundError extends StorageError {
  override readonly name = 'NotFoundError';
}

/** `putIfAbsent` found the object already there (another writer committed first). */
export class AlreadyExistsError extends StorageError {
  override readonly name = 'AlreadyExistsError';
}

/** Stored bytes do not hash to the recorded sha256. */
export class ChecksumMismatchError extends StorageError {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
    options: { subject?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The store refused access or does not exist (bad credentials, missing bucket, permissions). */
export class StoreAccessError extends StorageError {
  override readonly name = 'StoreAccessError';
}

/** Any other failure talking to the backend (network, server errors after retries, disk errors). */
export class StoreIOError extends StorageError {
  override readonly name = 'StoreIOError';
}

/** A Parquet shard that is truncated, corrupt or not in the Record schema. */
export class ShardFormatError extends StorageError {
  override readonly name = 'ShardFormatError';
}

/** A record that cannot be written to a shard (wrong type or out-of-range value). */
export class InvalidRecordError extends StorageError {
  override readonly name = 'InvalidRecordError';
  constructor(
    message: string,
    readonly row: number,
    readonly field: string,
    options: { subject?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** A manifest that is invalid, missing or inconsistent with the shards it lists. */
export class ManifestError extends StorageError {
  override readonly name = 'ManifestError';
}
