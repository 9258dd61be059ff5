// `--wait` as an operator meets it: started while no worker runs, it says why nothing moves; once a worker comes up
// it prints the result and exits 0 (no grpc "Channel has been shut down" crash); a failed workflow prints its cause.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { startTemporal } from '../helpers/temporal.js';
import { describeStall } from '../../workflows/cli/stall.js';

describe('describeStall', () => {
  const now = 100_000;
  it('names the queue when no worker takes the workflow task, and the heartbeat gap, attempt and failure of an activity', () => {
    assert.equal(describeStall({ taskQueue: 'etl', workflowTaskScheduledMs: now - 1000, activities: [] }, now), null);
    assert.match(describeStall({ taskQueue: 'etl', workflowTaskScheduledMs: now - 40_000, activities: [] }, now)!, /no worker has taken the workflow task for 40 s — is a worker serving queue etl\?/);
    const stalled = describeStall(
      {
        taskQueue: 'train',
        workflowTaskScheduledMs: null,
        activities: [{ type: 'trainStage', started: true, attempt: 3, lastFailure: 'activity Heartbeat timeout', lastHeartbeatMs: now - 70_000, scheduledMs: now - 200_000, lastStartedMs: now - 90_000 }],
      },
      now,
    );
    assert.equal(stalled, 'trainStage: no heartbeat for 70 s (attempt 3, last failure: activity Heartbeat timeout) — is its worker alive?');
  });
});

describe('CLI --wait on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  let address: string;
  let root: string;
  let source: string;
  const workers: CliProcess[] = [];
  // Short stall threshold so the test does not wait 15 s for the hint.
  const cliEnv = { SIGFORGE_STALL_AFTER_MS: '2000' };

  before(async () => {
    env = await startTemporal();
    address = env.connection.options.address;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-wait-'));
    root = pathToFileURL(path.join(dir, 'root')).href;
    source = path.join(dir, 'images');
    mkdirSync(source);
    for (const [i, color] of ['#d04040', '#40d040', '#4040d0'].entries()) {
      const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: color } }).jpeg().toBuffer();
      writeFileSync(path.join(source, `img${i}.jpg`), jpeg);
      writeFileSync(path.join(source, `img${i}.txt`), `a plain colour square number ${i}\n`);
    }
  });

  after(async () => {
    for (const w of workers) w.child.kill('SIGINT');
    await Promise.all(workers.map((w) => w.exited()));
    await env?.teardown();
  });

  it('says no worker serves the queue, then finishes and exits 0 once one starts', async () => {
    const waiting = startCli(
      ['ingest', '--temporal-address', address, '--root', root, '--source', source, '--name', 'colours', '--workflow-id', 'wait-test-ingest', '--wait'],
      cliEnv,
    );
    await waiting.waitFor(/no worker has taken the workflow task for \d+ s — is a worker serving queue etl\?/, 60_000);
    const worker = startCli(['worker', '--temporal-address', address, '--queues', 'etl', '--root', root]);
    workers.push(worker);
    const code = await waiting.exited();
    const out = waiting.output();
    assert.doesNotMatch(out, /Channel has been shut down/);
    assert.equal(code, 0, out);
    assert.match(out, /"name": "colours"/);
  });

  it('a failed workflow prints its cause, not only "Workflow execution failed"', async () => {
    const worker = startCli(['worker', '--temporal-address', address, '--queues', 'eval', '--root', root]);
    workers.push(worker);
    await worker.waitFor(/serving eval/, 60_000);
    const { code, output } = await runCli(['eval', '--temporal-address', address, '--root', root, '--model', 'runs/missing', '--suite', 'emoji', '--wait'], cliEnv);
    assert.equal(code, 1, output);
    assert.match(output, /sigforge: workflow eval-\d+ failed: model file:\/\/.*\/root\/runs\/missing: has no config\.json, checkpoint\.json or committed checkpoints/);
  });
});
