// Recurring ingest on a real Temporal dev server, driven through the CLI as an operator would: create a schedule
// for new URL lists under a folder, list it, pause it, trigger it, and see each new list ingested exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { listDatasets, openStore } from '../../storage/index.js';
import { startCorpusServer, type CorpusServer } from '../../workflows/dev/corpus-server.js';
import { activitiesFor } from '../../workflows/worker.js';
import { runCli } from '../helpers/cli.js';
import { startTemporal } from '../helpers/temporal.js';

const workflowsPath = new URL('../../workflows/workflows.ts', import.meta.url).pathname;

describe('sigforge schedule (ingest new URL lists)', () => {
  let env: TestWorkflowEnvironment;
  let server: CorpusServer;
  before(async () => {
    [env, server] = await Promise.all([startTemporal(), startCorpusServer(0)]);
  });
  after(async () => {
    await Promise.allSettled([env?.teardown(), server?.close()]);
  });

  it('create → list → pause → trigger ingests every list once; unpause and delete', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-schedule-'));
    const lists = path.join(dir, 'lists');
    const root = pathToFileURL(path.join(dir, 'data')).href;
    const store = openStore(root);
    const address = env.connection.options.address;
    const cli = (...args: string[]) => runCli(['--temporal-address', address, '--root', root, ...args]);
    const writeList = (name: string, images: string[]) =>
      writeFileSync(
        path.join(lists, name),
        images.map((img, i) => JSON.stringify({ url: `${server.baseUrl}/google/${img}`, caption: `emoji ${name} ${i}` })).join('\n') + '\n',
      );
    (await import('node:fs')).mkdirSync(lists);
    writeList('a.jsonl', ['1f600.png', '1f431.png']);

    const created = await cli(
      'schedule', 'create', 'ingest', '--id', 'new-lists', '--every', '1h', '--overlap', 'skip',
      '--prefix', lists, '--name', 'web', '--format', 'jsonl', '--caption-cols', 'caption',
    );
    assert.equal(created.code, 0, created.output);
    const listed = await cli('schedule', 'list');
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, /^new-lists\tingestNewListsWorkflow\tactive\tnext \S+/m);
    assert.equal((await cli('schedule', 'pause', 'new-lists')).code, 0);
    assert.match((await cli('schedule', 'list')).output, /^new-lists\tingestNewListsWorkflow\tpaused/m);

    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'etl',
      workflowsPath,
      activities: activitiesFor('etl', { store, ssrfAllow: ['127.0.0.1'] }),
    });
    const versions = async () => (await listDatasets(store)).find((d) => d.name === 'web')?.versions ?? [];
    const triggerAndWait = async (expected: number) => {
      assert.equal((await cli('schedule', 'trigger', 'new-lists')).code, 0);
      const deadline = Date.now() + 120_000;
      while ((await versions()).length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    };
    await worker.runUntil(async () => {
      await triggerAndWait(1);
      assert.equal((await versions()).length, 1);
      const requestsAfterFirst = server.requests();
      writeList('b.jsonl', ['1f436.png']);
      await triggerAndWait(2);
      assert.equal((await versions()).length, 2, 'the new list became a second version');
      // Let the second run finish: list a.jsonl must not have been fetched again.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(server.requests() - requestsAfterFirst, 1, 'only the new list was fetched');
    });
    assert.equal((await cli('schedule', 'unpause', 'new-lists')).code, 0);
    assert.equal((await cli('schedule', 'delete', 'new-lists')).code, 0);
    assert.doesNotMatch((await cli('schedule', 'list')).output, /new-lists/);
  });
});
