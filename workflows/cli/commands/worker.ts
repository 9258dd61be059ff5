import type { Command } from 'commander';
import { storesFromConfig, TASK_QUEUES, type TaskQueue } from '../../config.js';
import { connectWorker } from '../../connection.js';
import { loadModelScorer } from '../../../model/eval/scorer.js';
import { createWorkers, storeFromConfig } from '../../worker.js';
import { commandConfig, intFlag } from '../context.js';

/** `sigforge worker`: serves the given task queues until SIGINT/SIGTERM. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run a worker for the etl, train and/or eval task queues')
    .option('--queues <list>', `comma-separated task queues (${TASK_QUEUES.join(', ')})`)
    .option('--max-concurrent-activities <n>', 'activities run at once per queue (train is always 1)')
    .option('--ssrf-allow <list>', 'comma-separated addresses/CIDRs ingestion may fetch from despite the SSRF guard')
    .action(async (opts: { queues?: string; maxConcurrentActivities?: string; ssrfAllow?: string }, command: Command) => {
      const queues = opts.queues?.split(',').map((q) => q.trim()) as TaskQueue[] | undefined;
      const max =
        opts.maxConcurrentActivities === undefined
          ? undefined
          : intFlag(opts.maxConcurrentActivities, '--max-concurrent-activities', 1, 1024);
      const ssrfAllow = opts.ssrfAllow?.split(',').map((a) => a.trim());
      const config = commandConfig(command, { worker: { queues, maxConcurrentActivities: max, ssrfAllow } });
      const store = storeFromConfig(config);
      const stores = storesFromConfig(config);
      // The model_score filter's scorer: loaded once, its scores cached under the storage root per (model, rows).
      const scorer =
        config.worker.scorer && config.worker.queues.includes('etl')
          ? await loadModelScorer(stores.resolve(config.worker.scorer), { cache: store, load: { stores } })
          : undefined;
      const connection = await connectWorker(config.temporal);
      try {
        const workers = await createWorkers({
          connection,
          namespace: config.temporal.namespace,
          queues: config.worker.queues,
          deps: {
            store,
            stores,
            ssrfAllow: config.worker.ssrfAllow,
            ...(config.storage.s3 ? { s3: config.storage.s3 } : {}),
            ...(scorer ? { scorer: scorer.score } : {}),
          },
          maxConcurrentActivities: config.worker.maxConcurrentActivities,
        });
        console.error(
          `sigforge worker: serving ${config.worker.queues.join(', ')} on ${config.temporal.address} ` +
            `(namespace ${config.temporal.namespace}); storage ${config.storage.root}; Ctrl-C to stop`,
        );
        // The SDK shuts workers down gracefully on SIGINT/SIGTERM.
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await connection.close();
        scorer?.dispose();
      }
    });
}
