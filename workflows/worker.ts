import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { type ImageTextScorer } from '../pipelines/curate/filters/filter.js';
import { createStores, type ObjectStore, type S3Options, type Stores } from '../storage/index.js';
import { storesFromConfig, type SigforgeConfig, type TaskQueue } from './config.js';
import { createCurateActivities } from './curate/activities.js';
import { createEvalActivities } from './eval/activities.js';
import { createIngestActivities } from './ingest/activities.js';
import { createPipelineActivities } from './pipeline/activities.js';
import { createScheduleActivities } from './schedules/activities.js';
import { createSmokeActivities } from './smoke/activities.js';
import { createTrainActivities } from './train/activities.js';

/** Everything activities are built from; tests hand in their own. */
export interface WorkerDeps {
  store: ObjectStore;
  /** Addresses the ingest fetcher's SSRF guard lets through on this worker (internal mirrors, the demo's server). */
  ssrfAllow?: readonly string[];
  /** S3 settings (`storage.s3`) for reading `s3://` ingest sources, whatever the storage root is. */
  s3?: S3Options;
  /** Image-text scorer of the `model_score` curation filter (`worker.scorer`); absent: that filter is refused. */
  scorer?: ImageTextScorer;
  /** Opens every other URI (models, report sources) with the same settings; default: from `store` and `s3`. */
  stores?: Stores;
}

/** The activities each task queue's worker registers. */
export function activitiesFor(queue: TaskQueue, deps: WorkerDeps): Record<string, (...args: never[]) => unknown> {
  const stores = deps.stores ?? createStores({ root: deps.store.rootUri, ...(deps.s3 ? { s3: deps.s3 } : {}) });
  switch (queue) {
    case 'etl':
      return {
        ...createSmokeActivities(deps),
        ...createIngestActivities({ store: deps.store, ssrfAllow: deps.ssrfAllow ?? [], ...(deps.s3 ? { s3: deps.s3 } : {}) }),
        ...createCurateActivities({ store: deps.store, ...(deps.scorer ? { scorer: deps.scorer } : {}) }),
        ...createScheduleActivities(deps.s3 ? { s3: deps.s3 } : {}),
      };
    case 'train':
      return { ...createTrainActivities({ store: deps.store, stores }) };
    case 'eval':
      return { ...createEvalActivities({ store: deps.store, stores }), ...createPipelineActivities({ store: deps.store, stores }) };
  }
}

const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
const prebuiltBundle = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));

/** Workflow code for a worker: the pre-built bundle when `npm run build` made one, else bundled from source. */
export function workflowSource(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  return existsSync(prebuiltBundle) && process.env.SIGFORGE_FROM_SOURCE !== '1'
    ? { workflowBundle: { codePath: prebuiltBundle } }
    : { workflowsPath };
}

/** Builds the store named by the config's storage root. */
export function storeFromConfig(config: SigforgeConfig): ObjectStore {
  const stores = storesFromConfig(config);
  return stores.open(stores.rootUri!);
}

/** Creates one worker per queue on a shared connection; run them with `Promise.all(workers.map(w => w.run()))`. */
export async function createWorkers(opts: {
  connection: NativeConnection;
  namespace: string;
  queues: readonly TaskQueue[];
  deps: WorkerDeps;
  maxConcurrentActivities?: number;
}): Promise<Worker[]> {
  const source = workflowSource();
  return await Promise.all(
    opts.queues.map((queue) =>
      Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: queue,
        ...source,
        activities: activitiesFor(queue, opts.deps),
        // One training process per worker (ARCHITECTURE.md): a train worker runs one activity at a time.
        maxConcurrentActivityTaskExecutions: queue === 'train' ? 1 : (opts.maxConcurrentActivities ?? 4),
      }),
    ),
  );
}
