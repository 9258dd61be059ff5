// A standalone `etl` worker process for the two-worker test: the real etl activities (ingest, curate, …) of
// workflows/worker.ts, each call logged as "<tag> <activity>" to SIGFORGE_TEST_LOG so the test can tell which
// process did which work. Connects to SIGFORGE_TEST_TEMPORAL and serves a pre-built bundle of every workflow.
import { appendFileSync } from 'node:fs';
import { NativeConnection, Worker } from '@temporalio/worker';
import { openStore } from '../../../storage/index.js';
import { activitiesFor } from '../../../workflows/worker.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const tag = env('SIGFORGE_TEST_TAG');
const log = env('SIGFORGE_TEST_LOG');
const activities = activitiesFor('etl', { store: openStore(env('SIGFORGE_TEST_ROOT')), ssrfAllow: ['127.0.0.1/32'] });
const logged = Object.fromEntries(
  Object.entries(activities).map(([name, fn]) => [
    name,
    (...args: never[]): unknown => {
      appendFileSync(log, `${tag} ${name}\n`);
      return fn(...args);
    },
  ]),
);
const connection = await NativeConnection.connect({ address: env('SIGFORGE_TEST_TEMPORAL') });
const worker = await Worker.create({
  connection,
  namespace: process.env.SIGFORGE_TEST_NAMESPACE ?? 'default',
  taskQueue: 'etl',
  workflowBundle: { codePath: env('SIGFORGE_TEST_BUNDLE') },
  activities: logged,
  maxConcurrentActivityTaskExecutions: 2,
});
process.stdout.write('ready\n');
await worker.run();
await connection.close();
