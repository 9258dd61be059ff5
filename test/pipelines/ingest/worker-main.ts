// A standalone ingest worker process for the kill-the-worker test: connects to the Temporal address in
// SIGFORGE_TEST_TEMPORAL, serves 'etl' with a pre-built workflow bundle, writes to SIGFORGE_TEST_ROOT.
import { NativeConnection, Worker } from '@temporalio/worker';
import { openStore } from '../../../storage/index.js';
import { createIngestActivities } from '../../../workflows/ingest/activities.js';

const address = process.env.SIGFORGE_TEST_TEMPORAL!;
const root = process.env.SIGFORGE_TEST_ROOT!;
const bundle = process.env.SIGFORGE_TEST_BUNDLE!;
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  namespace: process.env.SIGFORGE_TEST_NAMESPACE ?? 'default',
  taskQueue: 'etl',
  workflowBundle: { codePath: bundle },
  activities: createIngestActivities({ store: openStore(root), ssrfAllow: ['127.0.0.1/32'] }),
  // Short sticky timeout so a killed worker's workflow tasks move to the new worker quickly.
  stickyQueueScheduleToStartTimeout: '1 second',
});
process.stdout.write('ready\n');
await worker.run();
await connection.close();
