/** Base class for curation errors: carries the offending field or input and the original cause. */
export class CurateError extends Error {
  override readonly name: string = 'CurateError';
  constructor(
    message: string,
    readonly context: { readonly field?: string; readonly input?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The curation config is invalid (unknown filter, η out of range, contradictory targets…); names the field. */
export class CurateConfigError extends CurateError {
  override readonly name = 'CurateConfigError';
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(`config ${field}: ${message}`, { field }, options);
  }
}

/** An input (dataset version, shard, summary file) cannot be curated as given. */
export class CurateInputError extends CurateError {
  override readonly name = 'CurateInputError';
  constructor(
    message: string,
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(`${input}: ${message}`, { input }, options);
  }
}
