/** Base class for loader errors: carries the offending input (dataset, shard, config field) and the cause. */
export class LoaderError extends Error {
  override readonly name: string = 'LoaderError';
  constructor(
    message: string,
    readonly context: { readonly field?: string; readonly input?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The loader config or a saved position is invalid; names the field. */
export class LoaderConfigError extends LoaderError {
  override readonly name = 'LoaderConfigError';
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(`loader ${field}: ${message}`, { field }, options);
  }
}

/** A shard or row cannot be used for training (bad image bytes, no usable rows); names the input. */
export class LoaderInputError extends LoaderError {
  override readonly name = 'LoaderInputError';
  constructor(
    message: string,
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(`${input}: ${message}`, { input }, options);
  }
}
