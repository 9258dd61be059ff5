/** Base class for training-run errors: carries the run, stage or config field concerned and the cause. */
export class TrainError extends Error {
  override readonly name: string = 'TrainError';
  constructor(
    message: string,
    readonly context: { readonly field?: string; readonly stage?: string; readonly uri?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run config is invalid (bad field, inconsistent stages); names the field. Never retried. */
export class TrainConfigError extends TrainError {
  override readonly name = 'TrainConfigError';
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(`train config ${field}: ${message}`, { field }, options);
  }
}

/** A checkpoint on storage is missing, damaged or does not fit the run; names its URI. */
export class TrainCheckpointError extends TrainError {
  override readonly name = 'TrainCheckpointError';
  constructor(
    message: string,
    readonly uri: string,
    options?: { cause?: unknown },
  ) {
    super(`${uri}: ${message}`, { uri }, options);
  }
}
