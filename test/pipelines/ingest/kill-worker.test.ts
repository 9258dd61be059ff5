// Kill the worker process in the middle of an ingest and start a new one: the finished dataset must equal an
// uninterrupted run's (same ids and content, no duplicates, no gaps).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { openStore, type ObjectStore } from '../../../storage/index.js';
import { type IngestInput, type IngestResult } from '../../../workflows/ingest/shared.js';
import { startTemporal } from '../../helpers/temporal.js';
import { emojiNames, startFaultServer, type FaultServer } from './fault-server.js';
import { readDataset } from './read-dataset.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('ingest survives a killed worker', () => {
  let env: TestWorkflowEnvironment;
  let server: FaultServer;
  let dir: string;
  let store: ObjectStore;
  let bundlePath: string;
  const children = new Set<ChildProcess>();

  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'worker-main.ts')], {
      env: {
        ...process.env,
        SIGFORGE_TEST_TEMPORAL: env.address,
        SIGFORGE_TEST_NAMESPACE: env.namespace ?? 'default',
        SIGFORGE_TEST_ROOT: store.rootUri,
        SIGFORGE_TEST_BUNDLE: bundlePath,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    });
    return child;
  }

  before(async () => {
    [env, server] = await Promise.all([startTemporal(), startFaultServer()]);
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-kill-'));
    store = openStore(`file://${dir}/store`);
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../../../workflows/ingest/workflows.ts', import.meta.url)),
    });
    bundlePath = path.join(dir, 'bundle.js');
    writeFileSync(bundlePath, code);
    const csv = path.join(dir, 'list.csv');
    const names = emojiNames(40);
    // Slow responses make the run last long enough to be killed in the middle; one row fails for good.
    writeFileSync(
      csv,
      'url,caption\n' +
        names.map((n, i) => `${server.base}/slowimg/${n}?ms=120,caption ${i}`).join('\n') +
        `\n${server.base}/404,a missing image\n`,
    );
    input = {
      source: csv,
      name: 'kill',
      fetch: { concurrency: 2, retries: 0 },
      image: { size: 32, minSide: 16 },
      partitionRows: 10,
      chunkRows: 3,
      maxConcurrentPartitions: 2,
      heartbeatTimeoutSeconds: 2,
    };
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await server?.close();
    await env?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let input: IngestInput;
  const execute = (version: string, id: string): Promise<IngestResult> =>
    env.client.workflow.execute('ingestWorkflow', { taskQueue: 'etl', workflowId: id, args: [{ ...input, version }] });

  it('gives the same dataset as an uninterrupted run', async () => {
    const w1 = await startWorker();
    const reference = await execute('reference', 'kill-ref');
    assert.equal(reference.rows, 41);

    const handle = await env.client.workflow.start('ingestWorkflow', {
      taskQueue: 'etl',
      workflowId: 'kill-run',
      args: [{ ...input, version: 'killed' }],
    });
    // Wait until some chunks are stored but the run is far from done, then kill the worker outright.
    const stored = async (): Promise<number> => {
      let n = 0;
      for await (const e of store.list('datasets/kill/killed/')) if (/chunk-|parts\//.test(e.key)) n++;
      return n;
    };
    for (let i = 0; i < 400 && (await stored()) < 2; i++) await sleep(25);
    w1.kill('SIGKILL');
    await new Promise((r) => w1.once('exit', r));
    assert.equal(await store.head('datasets/kill/killed/manifest.json'), null, 'killed before the run finished');
    // (No query here: with no worker alive a query would wait for one.)

    await startWorker();
    const resumed = (await handle.result()) as IngestResult;
    assert.equal(resumed.rows, 41);
    assert.deepEqual(resumed.byStatus, reference.byStatus);

    const a = await readDataset(store, 'kill', 'reference');
    const b = await readDataset(store, 'kill', 'killed');
    assert.equal(b.length, 41);
    assert.equal(new Set(b.map((r) => r.id)).size, 41, 'no duplicates');
    assert.deepEqual(
      b.map((r) => [r.id, r.status, r.sha256, r.width, r.height, r.phash]),
      a.map((r) => [r.id, r.status, r.sha256, r.width, r.height, r.phash]),
    );
  });
});
