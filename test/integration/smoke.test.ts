// The foundation's end-to-end check on real servers: a workflow on a real Temporal dev server calls activities
// that write and read an object on a real MinIO, and its recorded history replays deterministically.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { openStore } from '../../storage/index.js';
import { createSmokeActivities } from '../../workflows/smoke/activities.js';
import { storageSmokeWorkflow } from '../../workflows/smoke/workflows.js';
import { startMinio, type MinioServer } from '../../workflows/dev/minio.js';
import { startTemporal } from '../helpers/temporal.js';

const workflowsPath = fileURLToPath(new URL('../../workflows/workflows.ts', import.meta.url));
const historyFixture = fileURLToPath(new URL('../fixtures/histories/smoke/storage-smoke.json', import.meta.url));

describe('smoke: workflow → activity → MinIO on real servers', () => {
  let env: TestWorkflowEnvironment;
  let minio: MinioServer;

  before(async () => {
    [env, minio] = await Promise.all([startTemporal(), startMinio()]);
  });
  after(async () => {
    await Promise.allSettled([env?.teardown(), minio?.stop()]);
  });

  it('writes and reads an object through activities, and the stored bytes are the written ones', async () => {
    const store = openStore(`s3://${minio.bucket}/smoke`, {
      s3: {
        endpoint: minio.endpoint,
        region: minio.region,
        credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
      },
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'etl',
      workflowsPath,
      activities: createSmokeActivities({ store }),
    });
    const text = 'Ein Bild sagt mehr als tausend Worte — 一图胜千言';
    const handle = await worker.runUntil(async () => {
      const h = await env.client.workflow.start(storageSmokeWorkflow, {
        taskQueue: 'etl',
        workflowId: `smoke-${Date.now()}`,
        args: [{ key: 'hello/greeting.txt', text }],
      });
      const result = await h.result();
      assert.equal(result.text, text);
      return h;
    });
    // Independently of the workflow: the object is really on MinIO, under the store's prefix.
    const bytes = await store.get('hello/greeting.txt');
    assert.equal(new TextDecoder().decode(bytes), text);
    const listed = [];
    for await (const entry of store.list('hello/')) listed.push(entry.key);
    assert.deepEqual(listed, ['hello/greeting.txt']);
    assert.equal(
      createHash('sha256').update(bytes).digest('hex'),
      createHash('sha256').update(new TextEncoder().encode(text)).digest('hex'),
    );

    const history = await handle.fetchHistory();
    if (process.env.SIGFORGE_RECORD_HISTORIES === '1') writeFileSync(historyFixture, historyToJSON(history));
    // The history just produced must replay against today's workflow code.
    await Worker.runReplayHistory({ workflowsPath }, history, handle.workflowId);
  });
});

describe('replay: recorded histories still replay against the current workflow code', () => {
  it('storageSmokeWorkflow (test/fixtures/histories/smoke/storage-smoke.json)', async () => {
    const history = JSON.parse(readFileSync(historyFixture, 'utf8'));
    await Worker.runReplayHistory({ workflowsPath }, history, 'storage-smoke');
  });

  it('detects a non-deterministic change (activities reordered)', async () => {
    const history = JSON.parse(readFileSync(historyFixture, 'utf8'));
    const changed = fileURLToPath(new URL('../fixtures/workflows/smoke-reordered.ts', import.meta.url));
    await assert.rejects(
      Worker.runReplayHistory({ workflowsPath: changed }, history, 'storage-smoke'),
      (err: Error) => err.name === 'DeterminismViolationError',
    );
  });
});
