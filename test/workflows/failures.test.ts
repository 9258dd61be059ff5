// One failure policy for every activity: errors no retry can fix fail at once with their own name; the rest retry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { EvalConfigError, EvalDataError } from '../../model/eval/errors.js';
import { TrainCheckpointError, TrainConfigError } from '../../model/run/errors.js';
import { CurateConfigError, CurateInputError } from '../../pipelines/curate/errors.js';
import { IngestInputError, RowError } from '../../pipelines/ingest/errors.js';
import { ManifestError, NotFoundError, StoreIOError } from '../../storage/errors.js';
import { asActivityFailure } from '../../workflows/failures.js';
import { NON_RETRYABLE_ERRORS } from '../../workflows/shared.js';

function zodError(): z.ZodError {
  const r = z.object({ n: z.number() }).safeParse({ n: 'x' });
  assert.ok(!r.success);
  return r.error;
}

describe('activity failure policy (workflows/failures.ts)', () => {
  it('bad input, bad config and missing or damaged data of every area become non-retryable, named and with cause', () => {
    const errors: Error[] = [
      new IngestInputError('no url column', 'list.csv'),
      new CurateConfigError('unknown filter', 'filters'),
      new CurateInputError('no such dataset version', 'web@v1'),
      new TrainConfigError('empty', 'stages'),
      new TrainCheckpointError('damaged', 'file:///run/ckpt'),
      new EvalConfigError('unknown suite', 'suites'),
      new EvalDataError('no images', 'eval@v1'),
      new ManifestError('bad manifest'),
      new NotFoundError('datasets/x/manifest.json'),
      zodError(),
    ];
    for (const err of errors) {
      const f = asActivityFailure(err);
      assert.ok(f instanceof ApplicationFailure, err.name);
      assert.equal(f.nonRetryable, true, err.name);
      assert.equal(f.type, err.name);
      assert.equal(f.message, err.message);
      assert.equal(f.cause, err);
      assert.ok(NON_RETRYABLE_ERRORS.includes(err.name), err.name);
    }
  });

  it('transient failures pass through unchanged, so Temporal retries them', () => {
    for (const err of [
      new StoreIOError('disk hiccup'),
      new RowError('timeout', 'slow', 'http://x/'),
      new Error('boom'),
    ]) {
      assert.equal(asActivityFailure(err), err);
    }
    const already = ApplicationFailure.retryable('again', 'X');
    assert.equal(asActivityFailure(already), already);
    assert.equal(asActivityFailure('not an error'), 'not an error');
  });
});
