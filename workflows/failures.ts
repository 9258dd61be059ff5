// The one failure policy of every activity: what no retry can fix fails the workflow at once, naming the error.
import { ApplicationFailure } from '@temporalio/common';
import { NON_RETRYABLE_ERRORS } from './shared.js';

/** True when no retry can fix `err` (its name is in NON_RETRYABLE_ERRORS). */
export function isNonRetryable(err: unknown): err is Error {
  return err instanceof Error && NON_RETRYABLE_ERRORS.includes(err.name);
}

/** The error an activity throws for `err`: a non-retryable ApplicationFailure (type = the error's name) or `err`. */
export function asActivityFailure(err: unknown): unknown {
  if (!isNonRetryable(err) || err instanceof ApplicationFailure) return err;
  return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true, cause: err });
}
