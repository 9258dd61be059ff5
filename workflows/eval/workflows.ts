// The evaluate workflow: resolve models (newest checkpoint of a run) and suites, fan out one activity per
// (model, suite) with bounded concurrency on the `eval` queue, then write a summary. Deterministic and thin.
import { condition, continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EvalActivities } from './activities.js';
import { EVAL_PROGRESS_QUERY, type EvalJobResult, type EvalProgress, type EvaluateInput, type EvaluateResult } from './shared.js';

/** Query answering the run's progress. */
export const evalProgressQuery = defineQuery<EvalProgress>(EVAL_PROGRESS_QUERY);

/** Evaluates every model on every suite; returns each result's URI and mean metrics, and the summary's URI. */
export async function evaluateWorkflow(input: EvaluateInput): Promise<EvaluateResult> {
  const short = proxyActivities<EvalActivities>({
    startToCloseTimeout: '30 minutes',
    retry: { maximumAttempts: 3, initialInterval: '1 second' },
  });
  const long = proxyActivities<EvalActivities>({
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
  });
  const progress: EvalProgress = { phase: 'resolving', done: 0, total: 0 };
  setHandler(evalProgressQuery, () => progress);

  let jobs = input.resume?.jobs;
  if (!jobs) {
    const [models, suites] = await Promise.all([short.resolveEvalModels({ models: input.models }), short.resolveEvalSuites({ suites: input.suites, emoji: input.emoji ?? {} })]);
    jobs = models.flatMap((modelUri) => suites.map((suite) => ({ modelUri, suite, ...(input.backend !== undefined && { backend: input.backend }) })));
  }
  const prior = input.resume?.results ?? [];
  progress.total = jobs.length;
  progress.done = prior.length;
  progress.phase = 'evaluating';

  // Jobs run in order from where the previous run stopped; after `jobsPerRun` (or when Temporal suggests it)
  // the run continues as new with the results so far, so history stays bounded.
  const end = Math.min(jobs.length, prior.length + Math.max(1, input.jobsPerRun ?? 500));
  const results: (EvalJobResult | undefined)[] = new Array(end - prior.length);
  const window = Math.max(1, input.maxConcurrent ?? 2);
  let running = 0;
  let failure: unknown = null;
  for (let i = prior.length; i < end; i++) {
    await condition(() => running < window || failure !== null);
    if (failure !== null) break;
    running++;
    long.evaluateSuite(jobs[i]!).then(
      (r) => {
        running--;
        progress.done++;
        results[i - prior.length] = r;
      },
      (err: unknown) => {
        running--;
        failure ??= err;
      },
    );
  }
  await condition(() => running === 0);
  if (failure !== null) throw failure;
  const soFar = [...prior, ...(results as EvalJobResult[])];
  if (soFar.length < jobs.length) {
    return await continueAsNew<typeof evaluateWorkflow>({ ...input, resume: { jobs, results: soFar } });
  }

  progress.phase = 'summarizing';
  const done = soFar;
  const out = input.out ?? `eval/runs/${workflowInfo().workflowId}`;
  const summaryUri = await short.writeEvalSummary({ out, input, results: done });
  progress.phase = 'done';
  return { summaryUri, results: done };
}
