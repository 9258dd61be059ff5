// Two worker processes on the same `etl` queue: both do work on one ingest and on one curation, and the
// datasets equal those of a run with one worker (real Temporal dev server, loopback image server, local store).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { openStore, readManifest, readShard, type ObjectStore } from '../../../storage/index.js';
import { type CurateInput, type CurateResult } from '../../../workflows/curate/shared.js';
import { type IngestInput, type IngestResult } from '../../../workflows/ingest/shared.js';
import { startTemporal } from '../../helpers/temporal.js';
import { emojiNames, startFaultServer, type FaultServer } from '../ingest/fault-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('two etl worker processes', () => {
  let env: TestWorkflowEnvironment;
  let server: FaultServer;
  let dir: string;
  let store: ObjectStore;
  let bundlePath: string;
  let logPath: string;
  const children = new Set<ChildProcess>();

  async function startWorker(tag: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'etl-worker-main.ts')], {
      env: {
        ...process.env,
        SIGFORGE_TEST_TEMPORAL: env.address,
        SIGFORGE_TEST_NAMESPACE: env.namespace ?? 'default',
        SIGFORGE_TEST_ROOT: store.rootUri,
        SIGFORGE_TEST_BUNDLE: bundlePath,
        SIGFORGE_TEST_TAG: tag,
        SIGFORGE_TEST_LOG: logPath,
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
    dir = mkdtempSync(path.join(tmpdir(), 'sigforge-two-'));
    store = openStore(`file://${dir}/store`);
    logPath = path.join(dir, 'activities.log');
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../../../workflows/workflows.ts', import.meta.url)),
    });
    bundlePath = path.join(dir, 'bundle.js');
    writeFileSync(bundlePath, code);
    writeFileSync(logPath, '');
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await server?.close();
    await env?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function ingestAndCurate(version: string): Promise<{ ingest: IngestResult; curate: CurateResult }> {
    const csv = path.join(dir, 'list.csv');
    const names = emojiNames(40);
    writeFileSync(
      csv,
      'url,caption\n' + names.map((n, i) => `${server.base}/slowimg/${n}?ms=60,a photo of ${n} ${i}`).join('\n') + '\n',
    );
    const ingestInput: IngestInput = {
      source: csv,
      name: 'raw2',
      version,
      fetch: { concurrency: 2, retries: 0 },
      image: { size: 32, minSide: 16 },
      partitionRows: 5,
      chunkRows: 5,
      maxConcurrentPartitions: 4,
    };
    const ingest = (await env.client.workflow.execute('ingestWorkflow', {
      taskQueue: 'etl',
      workflowId: `ingest-${version}`,
      args: [ingestInput],
    })) as IngestResult;
    const curateInput: CurateInput = {
      input: `raw2@${version}`,
      name: 'cur2',
      version,
      config: { filters: [{ name: 'basic', min_side: 16 }], language_mix: { mode: 'off' }, m4: { enabled: false } },
      maxConcurrentShards: 4,
    };
    const curate = (await env.client.workflow.execute('curateWorkflow', {
      taskQueue: 'etl',
      workflowId: `curate-${version}`,
      args: [curateInput],
    })) as CurateResult;
    return { ingest, curate };
  }

  async function rowsOf(name: string, version: string): Promise<string[]> {
    const m = await readManifest(store, name, version);
    const out: string[] = [];
    for (const s of m.shards)
      for await (const b of readShard(store, s.key))
        for (const r of b) out.push(`${r.id}|${r.status}|${r.sha256}|${r.weight}`);
    return out.sort();
  }

  it('both processes work on one ingest and one curation, with the result of a one-worker run', async () => {
    const a = await startWorker('A');
    const one = await ingestAndCurate('one');
    writeFileSync(logPath, '');
    await startWorker('B');
    const two = await ingestAndCurate('two');
    const lines = readFileSync(logPath, 'utf8').trim().split('\n');
    const did = (tag: string, re: RegExp): number => lines.filter((l) => l.startsWith(`${tag} `) && re.test(l)).length;
    for (const tag of ['A', 'B']) {
      assert.ok(did(tag, /ingestPartition$/) > 0, `${tag} ingested partitions: ${JSON.stringify(lines)}`);
      assert.ok(did(tag, /(scoreShard|materializeShard)$/) > 0, `${tag} curated shards: ${JSON.stringify(lines)}`);
    }
    assert.equal(two.ingest.rows, 40);
    assert.deepEqual(two.ingest.byStatus, one.ingest.byStatus);
    assert.deepEqual(await rowsOf('raw2', 'two'), await rowsOf('raw2', 'one'));
    assert.equal(two.curate.rowsOut, one.curate.rowsOut);
    assert.ok(one.curate.rowsOut > 0);
    assert.deepEqual(await rowsOf('cur2', 'two'), await rowsOf('cur2', 'one'));
    a.kill('SIGTERM');
  });
});
