// Failure policy and heartbeats of the curate activities, in one place.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ManifestError } from '../../storage/index.js';
import { CurateConfigError, CurateInputError } from '../../pipelines/curate/errors.js';

/** Decides, in one place, which failures Temporal must not retry: bad input and bad config. */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof CurateConfigError || err instanceof CurateInputError || err instanceof ManifestError) {
    return ApplicationFailure.nonRetryable(err.message, err.name);
  }
  if (err instanceof z.ZodError) {
    const issue = err.issues[0]!;
    return ApplicationFailure.nonRetryable(
      `curate input ${issue.path.join('.')}: ${issue.message}`,
      'CurateInputError',
    );
  }
  return err;
}

/** Wraps an activity so that its errors pass through the failure policy. */
export function guard<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw asActivityFailure(err);
    }
  };
}

/** Heartbeats when running inside an activity (a no-op when called directly). */
export function beat(details?: unknown): void {
  // Outside a worker (direct calls in tests) there is no activity context.
  try {
    Context.current().heartbeat(details);
  } catch {
    /* not in an activity */
  }
}
