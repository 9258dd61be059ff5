// The CLI as a user runs it: real processes, a real Temporal dev server, real signals.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { openStore } from '../../storage/index.js';
import { freePort } from '../../workflows/dev/ports.js';
import { storageSmokeWorkflow } from '../../workflows/smoke/workflows.js';
import { runCli, startCli } from '../helpers/cli.js';
import { startTemporal } from '../helpers/temporal.js';

describe('sigforge CLI', () => {
  it('--help lists the commands', async () => {
    const { code, output } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const verb of ['demo', 'ingest', 'curate', 'eval', 'report', 'schedule', 'shards', 'datasets', 'worker', 'dev-server']) assert.match(output, new RegExp(`^  ${verb}\\b`, 'm'));
  });

  it('worker against an unreachable address fails with a clear connection error, not a stack trace', async () => {
    const { code, output } = await runCli(['worker', '--temporal-address', '127.0.0.1:1', '--queues', 'etl']);
    assert.equal(code, 1);
    assert.match(output, /^sigforge: cannot connect to Temporal at 127\.0\.0\.1:1: Connection refused/m);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  });

  it('an invalid config value exits 1 naming the field', async () => {
    const { code, output } = await runCli(['worker', '--queues', 'etl,gpu']);
    assert.equal(code, 1);
    assert.match(output, /worker\.queues\.1/);
  });

  it('dev-server serves the Temporal web UI on 127.0.0.1 and stops cleanly on Ctrl-C', async () => {
    const [port, uiPort] = [await freePort(), await freePort()];
    const server = startCli(['dev-server', '--port', String(port), '--ui-port', String(uiPort), '--in-memory']);
    try {
      await server.waitFor(/Ctrl-C to stop/, 60_000);
      assert.match(server.output(), new RegExp(`Web UI:\\s+http://127\\.0\\.0\\.1:${uiPort}`));
      const page = await fetch(`http://127.0.0.1:${uiPort}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      const namespaces = await fetch(`http://127.0.0.1:${uiPort}/api/v1/namespaces`);
      assert.equal(namespaces.status, 200);
    } finally {
      server.child.kill('SIGINT');
    }
    assert.equal(await server.exited(), 0);
    assert.match(server.output(), /Temporal dev server stopped/);
  });
});

describe('sigforge worker on a real dev server', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  it('runs workflows and activities from its queues, and shuts down on SIGINT', async () => {
    const address = env.connection.options.address;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-worker-'));
    const root = pathToFileURL(dir).href;
    const worker = startCli(['worker', '--temporal-address', address, '--queues', 'etl', '--root', root]);
    try {
      await worker.waitFor(/serving etl/, 60_000);
      const result = await env.client.workflow.execute(storageSmokeWorkflow, {
        taskQueue: 'etl',
        workflowId: `cli-worker-${Date.now()}`,
        args: [{ key: 'cli/hello.txt', text: 'hola' }],
      });
      assert.equal(result.text, 'hola');
      // The worker wrote to the storage root it was given.
      assert.equal(new TextDecoder().decode(await openStore(root).get('cli/hello.txt')), 'hola');
    } finally {
      worker.child.kill('SIGINT');
    }
    assert.equal(await worker.exited(), 0, worker.output());
  });
});
