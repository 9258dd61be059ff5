// Evaluate activities, built by a factory over injected dependencies (the store results and caches live in, the
// model loader): resolve models and suites, evaluate one (model, suite) with heartbeats, write the run summary.
import { Context } from '@temporalio/activity';
import { selectBackend } from '../../model/backend.js';
import { EvalConfigError } from '../../model/eval/errors.js';
import { type EvalModel } from '../../model/eval/eval-model.js';
import { loadEvalModel } from '../../model/eval/load-model.js';
import { type EvalResult, runSuite } from '../../model/eval/run-suite.js';
import { parseSuite, suiteHash } from '../../model/eval/suite.js';
import { resolveSuites } from '../../model/eval/suites.js';
import { LOCAL_STORES, type ObjectStore, type Stores } from '../../storage/index.js';
import { asActivityFailure } from '../failures.js';
import { resolveModelDir } from './models.js';
import { type EvalJob, type EvalJobResult, type EvaluateInput } from './shared.js';

/** Code version recorded in every result. */
export const EVAL_CODE_VERSION = 'sigforge-eval/1';

/** What the evaluate activities are built from. */
export interface EvalDeps {
  /** Where results, embedding caches and the emoji benchmark live. */
  store: ObjectStore;
  /** Opens model URIs with the worker's storage settings; default local files only (s3:// refused). */
  stores?: Stores;
  /** Loads a model directory; default {@link loadEvalModel} (Gemma tokenizer, compact vocabulary when present). */
  loadModel?: (uri: string) => Promise<EvalModel>;
  /** Default tfjs backend; default automatic. */
  backend?: string;
}

/** Key of the result of one (model, suite): the same inputs always land on the same key. */
export function resultKey(modelId: string, suiteName: string, hash: string): string {
  return `eval/results/${modelId}/${suiteName}-${hash}.json`;
}

function summarize(job: EvalJob, r: EvalResult, uri: string, reused: boolean): EvalJobResult {
  return { modelUri: job.modelUri, modelId: r.model.id, suite: r.suite.name, task: r.suite.task, resultUri: uri, metrics: r.metrics, reused };
}

/** Creates the evaluate activities. */
export function createEvalActivities(deps: EvalDeps) {
  const { store } = deps;
  const stores = deps.stores ?? LOCAL_STORES;
  const load = deps.loadModel ?? ((uri: string) => loadEvalModel(uri, { stores }));
  return {
    /** Resolves each model reference to a model directory (a run's newest committed checkpoint). */
    async resolveEvalModels(input: { models: string[] }): Promise<string[]> {
      try {
        if (input.models.length === 0) throw new EvalConfigError('at least one model is needed', 'models');
        return await Promise.all(input.models.map((m) => resolveModelDir(m, stores)));
      } catch (err) {
        throw asActivityFailure(err);
      }
    },

    /** Resolves suite names and files to validated suite objects (building the emoji benchmark if needed). */
    async resolveEvalSuites(input: { suites: EvaluateInput['suites']; emoji: NonNullable<EvaluateInput['emoji']> }): Promise<EvalJob['suite'][]> {
      try {
        if (input.suites.length === 0) throw new EvalConfigError('at least one suite is needed', 'suites');
        const all = (
          await Promise.all(input.suites.map((s, i) => (typeof s === 'string' ? resolveSuites(store, s, input.emoji) : [parseSuite(s, `suites[${i}]`)])))
        ).flat();
        const seen = new Set<string>();
        return all.filter((s) => !seen.has(s.name) && seen.add(s.name));
      } catch (err) {
        throw asActivityFailure(err);
      }
    },

    /** Evaluates one model on one suite; an existing result for the same model, suite and code is reused. */
    async evaluateSuite(job: EvalJob): Promise<EvalJobResult> {
      const ctx = Context.current();
      let model: EvalModel | undefined;
      const beat = setInterval(() => ctx.heartbeat({ model: job.modelUri, suite: job.suite.name }), 5000);
      try {
        const suite = parseSuite(job.suite, `suite ${job.suite.name}`);
        if (job.backend ?? deps.backend) await selectBackend(job.backend ?? deps.backend);
        else await selectBackend();
        model = await load(job.modelUri);
        const key = resultKey(model.id, suite.name, `${suiteHash(suite)}-${EVAL_CODE_VERSION.replace(/\W/g, '')}`);
        if (await store.head(key)) {
          const prior = JSON.parse(new TextDecoder().decode(await store.get(key))) as EvalResult;
          return summarize(job, prior, store.uri(key), true);
        }
        ctx.heartbeat({ model: job.modelUri, suite: suite.name, phase: 'running' });
        const result = await runSuite({ store, model, modelUri: job.modelUri, suite, codeVersion: EVAL_CODE_VERSION });
        await store.put(key, new TextEncoder().encode(`${JSON.stringify(result, null, 2)}\n`));
        return summarize(job, result, store.uri(key), false);
      } catch (err) {
        throw asActivityFailure(err);
      } finally {
        clearInterval(beat);
        model?.dispose();
      }
    },

    /** Writes the run's summary JSON (inputs and every result's URI and mean metrics); returns its URI. */
    async writeEvalSummary(input: { out: string; input: EvaluateInput; results: EvalJobResult[] }): Promise<string> {
      const key = `${input.out}/summary.json`;
      const body = { kind: 'sigforge-eval-summary', version: 1, code_version: EVAL_CODE_VERSION, input: input.input, results: input.results };
      await store.put(key, new TextEncoder().encode(`${JSON.stringify(body, null, 2)}\n`));
      return store.uri(key);
    },
  };
}

/** The activity functions' type, for `proxyActivities`. */
export type EvalActivities = ReturnType<typeof createEvalActivities>;
