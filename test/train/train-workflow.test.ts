// trainWorkflow on a real Temporal dev server: the worker process training a stage is killed (SIGKILL) and another
// takes over; the run finishes with a gapless, repeat-free step series and the weights of an uninterrupted run.
// Pause, resume and stopAfterCheckpoint act on a running stage at a checkpoint.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { selectBackend } from '../../model/backend.js';
import { checkpointKey, listCheckpoints, readCheckpointFile, readCheckpointMeta } from '../../model/run/checkpoint.js';
import { readMetrics } from '../../model/run/metrics.js';
import { type ObjectStore, openStore } from '../../storage/index.js';
import { createTrainActivities } from '../../workflows/train/activities.js';
import { type TrainProgress } from '../../workflows/train/shared.js';
import { pauseSignal, resumeSignal, stopAfterCheckpointSignal, trainProgressQuery, trainWorkflow } from '../../workflows/train/workflows.js';
import { startTemporal } from '../helpers/temporal.js';
import { writeEmojiDataset } from '../../workflows/dev/emoji-dataset.js';
import { testRun, tinyRun } from '../../workflows/dev/tiny-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const workflowsPath = path.join(here, '../../workflows/train/workflows.ts');

function startChild(env: TestWorkflowEnvironment, root: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'train-worker.ts'), env.address, 'default', root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`train worker exited with ${code} before it was ready`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('trainWorkflow (real Temporal, a worker process killed mid-stage)', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let root: string;
  let store: ObjectStore;
  let worker: Worker;
  let running: Promise<void>;
  const children: ChildProcess[] = [];
  const config = tinyRun({ examples: 96, distill: { at: 0.5, momentum: 0.9, locals: 2, localSize: 16 }, checkpointEvery: 3 });

  before(async () => {
    await selectBackend('wasm');
    env = await startTemporal();
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-trainwf-'));
    root = pathToFileURL(dir).href;
    store = openStore(root);
    await writeEmojiDataset(store, { rows: 90, shards: 3, rowGroupRows: 8 });
    // Workflows (and the short planning activity) run here; stage activities run in killable child processes.
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'train-wf', workflowsPath, activities: createTrainActivities({ store }) });
    running = worker.run();
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    worker?.shutdown();
    await running;
    await env?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes after its worker is killed, with no gap or repeat in the steps and the weights of an uninterrupted run', async () => {
    children.push(await startChild(env, root));
    const handle = await env.client.workflow.start(trainWorkflow, {
      taskQueue: 'train-wf',
      workflowId: 'train-kill',
      args: [{ config, data: 'emoji@latest', out: 'runs/killed', heartbeatTimeoutSeconds: 3 }],
    });
    const run = { store, prefix: 'runs/killed' };
    const at = await until('a checkpoint mid-stage', async () => (await listCheckpoints(run, 'base')).find((s) => s >= 3 && s < 12));
    children[0]!.kill('SIGKILL');
    children.push(await startChild(env, root));
    const result = await handle.result();
    assert.equal(result.stopped, false);
    assert.equal(result.stages.length, 1);
    assert.equal(result.stages[0]!.step, 12);
    const steps = (await readMetrics(store, 'runs/killed', 'base')).map((r) => r.step);
    assert.deepEqual(steps, Array.from({ length: 12 }, (_, i) => i + 1), `killed after checkpoint ${at}`);

    const reference = await testRun(store, (await listShards(store)), config, 'runs/reference');
    await reference.stage('base');
    const final = async (prefix: string) => {
      const d = checkpointKey({ store, prefix }, 'base', 12);
      return readCheckpointFile(store, d, await readCheckpointMeta(store, d), 'model.safetensors');
    };
    const [a, b] = [await final('runs/killed'), await final('runs/reference')];
    let maxDiff = 0;
    for (const [k, x] of a) for (let i = 0; i < x.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x.data[i]! - b.get(k)!.data[i]!));
    assert.ok(maxDiff < 1e-6, `max weight difference vs uninterrupted run: ${maxDiff}`);
  });

  it('pauses at a checkpoint, resumes, and stops after a checkpoint on request', async () => {
    if (children.every((c) => c.exitCode !== null)) children.push(await startChild(env, root));
    const handle = await env.client.workflow.start(trainWorkflow, {
      taskQueue: 'train-wf',
      workflowId: 'train-signals',
      // Long enough (60 steps) that the stage is still running when the signals arrive.
      args: [{ config: { ...config, examples: 480 }, data: 'emoji@v1', out: 'runs/signals', heartbeatTimeoutSeconds: 2 }],
    });
    const run = { store, prefix: 'runs/signals' };
    await until('training', async () => ((await listCheckpoints(run, 'base')).length > 0 ? true : undefined));
    await handle.signal(pauseSignal);
    const paused = await until('paused', async () => {
      const p: TrainProgress = await handle.query(trainProgressQuery);
      return p.state === 'paused' ? p : undefined;
    });
    assert.equal(paused.stage, 'base');
    const pausedAt = (await listCheckpoints(run, 'base')).at(-1)!;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await listCheckpoints(run, 'base')).at(-1), pausedAt, 'no training while paused');
    await handle.signal(resumeSignal);
    await until('progress after resume', async () => ((await listCheckpoints(run, 'base')).at(-1)! > pausedAt ? true : undefined));
    await handle.signal(stopAfterCheckpointSignal);
    const result = await handle.result();
    assert.equal(result.stopped, true);
    const last = (await listCheckpoints(run, 'base')).at(-1)!;
    const steps = (await readMetrics(store, 'runs/signals', 'base')).map((r) => r.step);
    assert.deepEqual(steps, Array.from({ length: last }, (_, i) => i + 1), 'metrics end at the last checkpoint');
  });
});

async function listShards(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of store.list('datasets/emoji/v1/shards/')) keys.push(key);
  return keys.sort();
}
