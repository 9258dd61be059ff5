// Failure policy and heartbeats of the curate activities, in one place.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { asActivityFailure as sharedPolicy } from '../failures.js';

/** The shared failure policy (workflows/failures.ts), with zod errors reported as the curate input field. */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof z.ZodError) {
    // Curate names the input field; every other decision is the shared policy's.
    const issue = err.issues[0]!;
    return ApplicationFailure.nonRetryable(
      `curate input ${issue.path.join('.')}: ${issue.message}`,
      'CurateInputError',
    );
  }
  return sharedPolicy(err);
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
