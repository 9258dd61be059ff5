// The scheduled ingest's list step: URL lists directly under a local folder or an s3:// prefix (real MinIO).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { type S3Options } from '../../storage/index.js';
import { createScheduleActivities } from '../../workflows/schedules/activities.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { minioStore } from '../storage/minio-store.js';

describe('schedule: listUrlLists', () => {
  let minio: MinioServer;
  let s3: S3Options;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-lists-'));
  before(async () => {
    minio = await startMinio();
    s3 = { endpoint: minio.endpoint, region: minio.region, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, maxAttempts: 2 };
  });
  after(async () => {
    await minio?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('local folder: lists with a list suffix, in name order, not in subfolders', async () => {
    for (const f of ['b.csv', 'a.parquet', 'notes.txt']) writeFileSync(path.join(dir, f), 'x');
    mkdirSync(path.join(dir, 'old'));
    const lists = await createScheduleActivities().listUrlLists({ prefix: dir });
    assert.deepEqual(lists, ['a.parquet', 'b.csv'].map((f) => pathToFileURL(path.join(dir, f)).href));
  });

  it('s3 prefix: the same, as s3:// URIs; subfolders and other files left out', async () => {
    const store = minioStore(minio, {}, 'drop');
    for (const k of ['lists/2026-11-02.csv', 'lists/2026-11-01.jsonl', 'lists/readme.md', 'lists/archive/old.csv', 'other/x.csv']) {
      await store.put(k, new TextEncoder().encode('url,caption\n'));
    }
    const acts = createScheduleActivities({ s3 });
    const want = [`s3://${minio.bucket}/drop/lists/2026-11-01.jsonl`, `s3://${minio.bucket}/drop/lists/2026-11-02.csv`];
    assert.deepEqual(await acts.listUrlLists({ prefix: `s3://${minio.bucket}/drop/lists` }), want);
    assert.deepEqual(await acts.listUrlLists({ prefix: `s3://${minio.bucket}/drop/lists/` }), want, 'a trailing slash changes nothing');
    assert.deepEqual(await acts.listUrlLists({ prefix: `s3://${minio.bucket}/drop/empty` }), []);
  });

  it('a missing bucket or folder is a non-retryable failure naming it', async () => {
    const acts = createScheduleActivities({ s3 });
    await assert.rejects(acts.listUrlLists({ prefix: 's3://no-such-bucket-here/lists' }), (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && /no-such-bucket-here/.test(err.message));
    await assert.rejects(acts.listUrlLists({ prefix: path.join(dir, 'missing') }), (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && /missing/.test(err.message));
  });
});
