/** Base class of every error raised by model code; subclasses add context fields. */
export class ModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A model configuration or size name is invalid. */
export class ModelConfigError extends ModelError {
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A tensor given to the model has the wrong shape or dtype. */
export class ModelInputError extends ModelError {
  constructor(
    message: string,
    readonly input: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${input}: ${message} (expected ${expected}, got ${actual})`);
  }
}

/** A checkpoint or safetensors file cannot be read or does not match the model. */
export class CheckpointError extends ModelError {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** No requested TensorFlow.js backend could be started. */
export class BackendError extends ModelError {
  constructor(
    message: string,
    readonly requested: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
