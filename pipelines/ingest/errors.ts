/**
 * Ingest errors. `IngestError` is the base; each subclass carries context fields and the original `cause`.
 * Row-level failures carry the `RecordStatus` they turn into, so a failed row is written, never dropped.
 */
import { type RecordStatus } from '../../storage/record.js';

/** Base class for every ingest failure. */
export class IngestError extends Error {
  override readonly name: string = 'IngestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad configuration or source input (unknown source name, missing column, unreadable file). Not retryable. */
export class IngestInputError extends IngestError {
  override readonly name: string = 'IngestInputError';
  constructor(
    message: string,
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(`${input}: ${message}`, options);
  }
}

/** A single row could not become an image; `status` says which kind of failure it was. */
export class RowError extends IngestError {
  override readonly name: string = 'RowError';
  constructor(
    readonly status: Exclude<RecordStatus, 'ok'>,
    message: string,
    readonly url: string,
    options?: { cause?: unknown; retryable?: boolean; retryAfterMs?: number | undefined },
  ) {
    super(message, options);
    this.retryable = options?.retryable ?? false;
    this.retryAfterMs = options?.retryAfterMs;
  }
  /** Whether fetching again later may succeed (429, 5xx, timeouts, network errors). */
  readonly retryable: boolean;
  /** Server-requested delay before retrying (from `Retry-After`), when given. */
  readonly retryAfterMs: number | undefined;
}

/** Statuses whose rows `--retry-failed` fetches again: transient network and server conditions. */
export const RETRYABLE_STATUSES: readonly RecordStatus[] = ['http_error', 'timeout', 'network_error', 'truncated'];

/** Whether a stored row with this status (and error text) is worth fetching again. */
export function isRetryableStatus(status: RecordStatus, error: string | null): boolean {
  if (!RETRYABLE_STATUSES.includes(status)) return false;
  // A 4xx other than 408/429 is permanent: fetching again would only repeat it.
  if (status === 'http_error' && error !== null) {
    const m = /HTTP (\d{3})/.exec(error);
    if (m) {
      const code = Number(m[1]);
      return code >= 500 || code === 408 || code === 429;
    }
  }
  return true;
}
