// A separate worker process serving only the train activities (no workflows), so a test can kill it mid-stage:
// node --import tsx test/train/train-worker.ts <temporal-address> <namespace> <store-root-uri>
import { NativeConnection, Worker } from '@temporalio/worker';
import { openStore } from '../../storage/index.js';
import { createTrainActivities } from '../../workflows/train/activities.js';
import { TRAIN_TASK_QUEUE } from '../../workflows/train/shared.js';

const [address, namespace, root] = process.argv.slice(2);
if (!address || !namespace || !root) throw new Error('usage: train-worker.ts <address> <namespace> <store-root-uri>');
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  namespace,
  taskQueue: TRAIN_TASK_QUEUE,
  activities: createTrainActivities({ store: openStore(root) }),
  maxConcurrentActivityTaskExecutions: 1,
});
process.stdout.write('ready\n');
await worker.run();
await connection.close();
