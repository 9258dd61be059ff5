import { AlreadyExistsError, NotFoundError, type StorageError, StoreAccessError, StoreIOError } from './errors.js';

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const ACCESS_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
]);

/**
 * A plain copy of an SDK error's name, code, status and message: the SDK error itself holds the request and
 * response, which we never want reachable from a logged error (credentials must not leak).
 */
function sanitized(err: SdkErrorShape, redact: readonly string[]): Error {
  let message = String(err.message ?? '');
  for (const secret of redact) if (secret) message = message.split(secret).join('***');
  const copy = new Error(message);
  copy.name = String(err.name ?? 'Error');
  Object.assign(copy, { code: err.Code ?? err.code, status: err.$metadata?.httpStatusCode });
  return copy;
}

/** Maps an AWS SDK error to a storage error naming the operation and object, never the credentials. */
export function mapS3Error(
  err: unknown,
  ctx: { op: string; uri: string; bucket: string; key: string; redact: readonly string[] },
): StorageError {
  const e = (err ?? {}) as SdkErrorShape;
  const code = e.Code ?? e.code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const cause = sanitized(e, ctx.redact);
  const what = `${ctx.op} ${ctx.uri}`;
  const statusText = status === undefined ? '' : ` (HTTP ${status})`;
  if (code === 'NoSuchBucket') {
    return new StoreAccessError(`${what}: bucket ${JSON.stringify(ctx.bucket)} does not exist`, {
      subject: ctx.uri,
      cause,
    });
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return new NotFoundError(`${what}: no such object`, { subject: ctx.uri, cause });
  }
  if (code === 'PreconditionFailed' || status === 412) {
    return new AlreadyExistsError(`${what}: already exists`, { subject: ctx.uri, cause });
  }
  if (code === 'CredentialsProviderError') {
    // Raised by the SDK before any request: saying "denied by the server" would send people to check bucket policies.
    return new StoreAccessError(
      `${what}: no S3 credentials found, so no request was sent; set storage.s3.credentials in the config, ` +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an AWS profile, or run where an instance role applies',
      { subject: ctx.uri, cause },
    );
  }
  if (ACCESS_CODES.has(code) || status === 403 || status === 401) {
    return new StoreAccessError(
      `${what}: access denied by the server (${code}${statusText}); check the S3 credentials and bucket permissions`,
      { subject: ctx.uri, cause },
    );
  }
  if (NETWORK_CODES.has(code) || (status !== undefined && status >= 500)) {
    return new StoreIOError(`${what}: ${code}${statusText} after retries`, {
      subject: ctx.uri,
      cause,
      retryable: true,
    });
  }
  const detail = cause.message ? `: ${cause.message}` : '';
  return new StoreIOError(`${what}: ${code}${statusText}${detail}`, { subject: ctx.uri, cause });
}
