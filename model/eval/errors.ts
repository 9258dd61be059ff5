// Errors of the evaluation area: one base class, subclasses carry what was wrong and where.

/** Base class of every evaluation error. */
export class EvalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A suite, model reference or option is invalid; `field` names it. */
export class EvalConfigError extends EvalError {
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Evaluation data (a dataset, a cache entry, embeddings) does not have the shape a metric needs. */
export class EvalDataError extends EvalError {
  constructor(
    message: string,
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`${subject}: ${message}`, options);
  }
}
