// Integration: ingestWorkflow on a real Temporal dev server, a real loopback fault server and real images,
// writing to real local storage. Every input row must come out exactly once with its expected status.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { openStore, readManifest, type ObjectStore } from '../../../storage/index.js';
import { createIngestActivities } from '../../../workflows/ingest/activities.js';
import { type IngestInput, type IngestProgress, type IngestResult } from '../../../workflows/ingest/shared.js';
import { startTemporal } from '../../helpers/temporal.js';
import { emojiNames, startFaultServer, type FaultServer } from './fault-server.js';
import { readDataset } from './read-dataset.js';

const workflowsPath = fileURLToPath(new URL('../../../workflows/ingest/workflows.ts', import.meta.url));


describe('ingestWorkflow (real Temporal, loopback HTTP, real images)', () => {
  let env: TestWorkflowEnvironment;
  let server: FaultServer;
  let dir: string;
  let store: ObjectStore;
  let worker: Worker;
  let running: Promise<void>;
  let rows: [string, string][];
  let csv: string;

  before(async () => {
    [env, server] = await Promise.all([startTemporal(), startFaultServer()]);
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-ingest-'));
    store = openStore(`file://${dir}/store`);
    const faults: [string, string][] = [
      ['/404', 'http_error'],
      ['/flaky/a', 'ok'],
      ['/429', 'ok'],
      ['/slow', 'timeout'],
      ['/reset', 'network_error'],
      ['/truncated', 'truncated'],
      ['/wrong-type', 'ok'],
      ['/html', 'not_image'],
      ['/corrupt.jpg', 'decode_error'],
      ['/bomb.png', 'too_large'],
      ['/loop/a', 'redirect_loop'],
      ['/big', 'too_large'],
      ['/noai', 'opted_out'],
      ['/down/1', 'http_error'],
      ['/down/2', 'http_error'],
    ];
    const images: [string, string][] = emojiNames(17).map((n) => [`/img/${n}`, 'ok']);
    rows = [];
    // Interleave so faults land in several partitions.
    for (let i = 0; i < Math.max(images.length, faults.length); i++) {
      if (images[i]) rows.push(images[i]!);
      if (faults[i]) rows.push(faults[i]!);
    }
    rows.push(['ftp://127.0.0.1/x.png', 'invalid_input']);
    csv = path.join(dir, 'list.csv');
    writeFileSync(
      csv,
      'url,caption\n' + rows.map(([p], i) => `${p.startsWith('/') ? server.base + p : p},"emoji number ${i}, ein kleines Bild"`).join('\n') + '\n',
    );
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'etl',
      workflowsPath,
      activities: createIngestActivities({ store, ssrfAllow: ['127.0.0.1/32'] }),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await server?.close();
    await env?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const base = (): Omit<IngestInput, 'name'> => ({
    fetch: { timeoutMs: 500, retries: 2, backoffBaseMs: 5, maxBodyBytes: 200_000, concurrency: 8 },
    image: { size: 48, minSide: 16 },
    partitionRows: 10,
    chunkRows: 4,
    maxConcurrentPartitions: 2,
    partitionsPerRun: 2,
  });
  const run = (input: IngestInput, id: string): Promise<IngestResult> =>
    (env.client.workflow.execute('ingestWorkflow', { taskQueue: 'etl', workflowId: id, args: [input] }) as Promise<IngestResult>);

  let first: IngestResult;
  it('writes every input row exactly once with its expected status', async () => {
    first = await run({ ...base(), source: csv, name: 'emoji' }, 'ingest-1');
    assert.equal(first.rows, rows.length);
    const records = await readDataset(store, 'emoji', first.version);
    assert.equal(records.length, rows.length);
    assert.equal(new Set(records.map((r) => r.id)).size, rows.length, 'ids are unique');
    records.forEach((r, i) => {
      const [p, want] = rows[i]!;
      assert.ok(r.url.endsWith(p), `row ${i}: ${r.url} should end with ${p}`);
      assert.equal(r.status, want, `row ${i} (${p}): ${r.error}`);
      assert.equal(r.image === null, want !== 'ok');
      assert.equal(r.caption, `emoji number ${i}, ein kleines Bild`);
    });
    const m = await readManifest(store, 'emoji', first.version);
    assert.equal(m.shards.length, 4);
    assert.equal(m.kind, 'raw');
    const ok = rows.filter(([, s]) => s === 'ok').length;
    assert.equal((m.stats.by_status as { ok: number }).ok, ok);
    assert.equal(m.stats.success_rate, ok / rows.length);
    assert.equal((m.stats.by_error_kind as { [k: string]: number })['http_error:503'], 2);
    assert.equal((m.stats.by_error_kind as { [k: string]: number })['http_error:404'], 1);
    assert.equal((m.stats.orig_size_histogram as { [k: string]: number })['<=64'], ok);
    // The progress query (answered by the last run after continue-as-new) carries the totals across runs.
    const progress = await env.client.workflow.getHandle('ingest-1').query<IngestProgress>('ingestProgress');
    assert.deepEqual(
      [progress.phase, progress.rowsDone, progress.rowsTotal, progress.ok, progress.partitionsDone],
      ['done', rows.length, rows.length, ok, 4],
    );
    // Chunks are gone once shards are written.
    const leftovers: string[] = [];
    for await (const e of store.list(`datasets/emoji/${first.version}/work/`)) leftovers.push(e.key);
    assert.deepEqual(leftovers, []);
  });

  it('is idempotent: the same ingest again yields the same version and touches no URL', async () => {
    const hitsBefore = [...server.hits.values()].reduce((a, b) => a + b, 0);
    const again = await run({ ...base(), source: csv, name: 'emoji' }, 'ingest-2');
    assert.equal(again.version, first.version);
    assert.deepEqual(again.byStatus, first.byStatus);
    assert.equal([...server.hits.values()].reduce((a, b) => a + b, 0), hitsBefore);
  });

  it('--retry-failed turns exactly the recovered rows into successes', async () => {
    server.down = false;
    const retried = await run({ ...base(), name: 'emoji', retryFailed: `emoji@${first.version}` }, 'ingest-3');
    assert.notEqual(retried.version, first.version);
    const before = await readDataset(store, 'emoji', first.version);
    const afterRows = await readDataset(store, 'emoji', retried.version);
    assert.equal(afterRows.length, before.length);
    const changed: string[] = [];
    afterRows.forEach((r, i) => {
      const b = before[i]!;
      assert.equal(r.id, b.id);
      if (r.status !== b.status) changed.push(`${new URL(r.url, 'http://x').pathname}:${b.status}->${r.status}`);
      else if (b.status === 'ok') assert.equal(r.sha256, b.sha256);
    });
    // /slow, /reset and /truncated are retryable too but still fail; the 404 is permanent and not refetched.
    assert.deepEqual(changed.sort(), ['/down/1:http_error->ok', '/down/2:http_error->ok']);
    const m = await readManifest(store, 'emoji', retried.version);
    assert.deepEqual(m.lineage.inputs, [{ name: 'emoji', version: first.version }]);
    assert.equal(server.hits.get('/404'), 1);
  });

  it('replays its recorded history deterministically', async () => {
    // The first run of 'ingest-1' (before continue-as-new) and its last run both replay without non-determinism.
    const handle = env.client.workflow.getHandle('ingest-1');
    const histories = [await handle.fetchHistory()];
    const firstRunId = (await handle.describe()).raw.workflowExecutionInfo?.firstRunId;
    if (firstRunId) histories.push(await env.client.workflow.getHandle('ingest-1', firstRunId).fetchHistory());
    for (const history of histories) await Worker.runReplayHistory({ workflowsPath }, history, 'ingest-1');
  });

  it('rejects bad input with a clear, non-retryable error', async () => {
    await assert.rejects(run({ ...base(), source: csv, format: 'xml', name: 'bad' }, 'ingest-bad'), (err: Error) => {
      const msg = `${err.message} ${(err.cause as Error | undefined)?.message} ${((err.cause as Error | undefined)?.cause as Error | undefined)?.message}`;
      return /unknown source format "xml"; valid: csv/.test(msg);
    });
  });
});
