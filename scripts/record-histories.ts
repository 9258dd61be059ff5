// Records the event history of every sigforge workflow on a real Temporal dev server with tiny inputs, into
// test/fixtures/histories/<workflow>/<workflow id>.json, for test/workflows/replay.test.ts.
// Usage: npm run record-histories [-- --out <folder>]   (needs the temporal binary from `npm run setup`; ~5 min)
// It runs `sigforge demo` on a small slice (pipeline → ingest, curate, train + stage evaluations, evaluate, report),
// then a recurring ingest of two URL lists (ingestNewListsWorkflow; one ingest continues as new), then saves every
// execution's history. The storage smoke workflow needs MinIO and is recorded by test/integration/smoke.test.ts.
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { openStore } from '../storage/index.js';
import { connectClient } from '../workflows/connection.js';
import { runDemo } from '../workflows/demo/run-demo.js';
import { startCorpusServer } from '../workflows/dev/corpus-server.js';
import { startDevServer } from '../workflows/dev/dev-server.js';
import { freePort } from '../workflows/dev/ports.js';
import { activitiesFor } from '../workflows/worker.js';
import type { IngestNewListsInput } from '../workflows/schedules/shared.js';
import { HISTORY_FOLDERS } from './history-folders.js';

const workflowsPath = fileURLToPath(new URL('../workflows/workflows.ts', import.meta.url));

/** Runs ingestNewListsWorkflow over two URL lists on the dev server whose SQLite file is `dbFile`. */
async function recordSchedule(dir: string, dbFile: string): Promise<void> {
  const corpus = await startCorpusServer(0);
  const lists = path.join(dir, 'lists');
  mkdirSync(lists, { recursive: true });
  const line = (img: string, i: number) =>
    JSON.stringify({ url: `${corpus.baseUrl}/google/${img}`, caption: `emoji ${i}` });
  writeFileSync(path.join(lists, 'a.jsonl'), ['1f600.png', '1f431.png'].map(line).join('\n') + '\n');
  writeFileSync(path.join(lists, 'b.jsonl'), [line('1f436.png', 0)].join('\n') + '\n');
  const root = pathToFileURL(path.join(dir, 'data')).href;
  const input: IngestNewListsInput = {
    prefix: lists,
    // One row per partition and one partition per run: list a's ingest continues as new once.
    ingest: {
      name: 'web',
      format: 'jsonl',
      sourceOptions: { captionColumns: ['caption'] },
      partitionRows: 1,
      partitionsPerRun: 1,
    },
  };
  const dev = await startDevServer({ uiPort: false, dbFile });
  try {
    const connection = await NativeConnection.connect({ address: dev.address });
    const client = await connectClient({ address: dev.address, namespace: 'default', tls: false });
    const worker = await Worker.create({
      connection,
      taskQueue: 'etl',
      workflowsPath,
      activities: activitiesFor('etl', { store: openStore(root), ssrfAllow: ['127.0.0.1'] }),
    });
    await worker.runUntil(
      client.workflow.execute('ingestNewListsWorkflow', { taskQueue: 'etl', workflowId: 'new-lists', args: [input] }),
    );
    await client.connection.close();
    await connection.close();
  } finally {
    await dev.stop();
    await corpus.close();
  }
}

/** Writes every closed execution's history on the dev server over `dbFile` into `out`; returns the files. */
async function saveHistories(dbFile: string, out: string): Promise<string[]> {
  const dev = await startDevServer({ uiPort: false, dbFile });
  const written: string[] = [];
  try {
    const client = await connectClient({ address: dev.address, namespace: 'default', tls: false });
    for await (const wf of client.workflow.list()) {
      const folder = HISTORY_FOLDERS[wf.type];
      if (!folder) throw new Error(`workflow type ${wf.type} has no fixture folder in HISTORY_FOLDERS`);
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const file = path.join(out, folder, `${wf.workflowId}@${wf.runId}.json`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, historyToJSON(history) + '\n');
      renameSync(`${file}.tmp`, file);
      written.push(file);
    }
    await client.connection.close();
  } finally {
    await dev.stop();
  }
  return written.sort();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = path.resolve(values.out ?? fileURLToPath(new URL('../test/fixtures/histories', import.meta.url)));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-histories-'));
  console.log(`recording in ${dir}`);
  const [httpPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  await runDemo({ dir, minutes: 0.05, every: 200, evalClasses: 3, httpPort, temporalPort, uiPort, log: console.log });
  const dbFile = path.join(dir, 'temporal.db');
  await recordSchedule(dir, dbFile);
  for (const file of await saveHistories(dbFile, out)) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

await main();
