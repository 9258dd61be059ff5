// Train activities over injected storage: plan a run (validate the config, resolve the dataset, record run.json)
// and run one stage (heartbeating each step, checkpointing and stopping when cancelled, resuming when retried).
import { Context, CancelledFailure } from '@temporalio/activity';
import { selectBackend } from '../../model/backend.js';
import { modelConfig, type ModelConfig, parseModelConfig } from '../../model/config.js';
import { type RunLocation } from '../../model/run/checkpoint.js';
import { TrainConfigError } from '../../model/run/errors.js';
import { parseRunConfig, type RunConfig } from '../../model/run/run-config.js';
import { planStages } from '../../model/run/stages.js';
import { seedRunVocab } from '../../model/run/init.js';
import { runTextPipe } from '../../model/run/text.js';
import { runStage } from '../../model/run/trainer.js';
import { AlreadyExistsError, joinKey, type ObjectStore, readManifest, resolveDataset, type Stores } from '../../storage/index.js';
import { asActivityFailure } from '../failures.js';
import { type StageHeartbeat, type StageInput, type StageOutcome, type TrainInput, type TrainPlan } from './shared.js';

/** Dependencies of the train activities. */
export interface TrainActivityDeps {
  store: ObjectStore;
  /** Opens other URIs (an ACID reference teacher on S3) with the worker's storage settings. */
  stores?: Stores;
}

/** The model config a run trains (size name or full config, with the text length override). */
export function runModelConfig(config: RunConfig): ModelConfig {
  const base = typeof config.model === 'string' ? modelConfig(config.model, config.imageSize !== undefined ? { imageSize: config.imageSize } : {}) : config.model;
  return config.textLength ? parseModelConfig({ ...base, text: { ...base.text, maxLength: config.textLength } }) : base;
}

/** Turns `out` (a key prefix or a URI inside the store root) into the run's key prefix. */
export function runPrefix(store: ObjectStore, out: string): string {
  const root = store.rootUri;
  if (out.includes('://')) {
    if (!out.startsWith(`${root}/`)) {
      throw new TrainConfigError(`${out} is outside the worker's storage root ${root}; give a key prefix or a URI under it`, 'out');
    }
    return joinKey(out.slice(root.length + 1).replace(/\/+$/, ''));
  }
  return joinKey(out.replace(/\/+$/, ''));
}

/** Builds the train activities. */
export function createTrainActivities(deps: TrainActivityDeps) {
  const { store } = deps;
  return {
    /** Validates the config, resolves the dataset version and writes run.json (once; a different config is an error). */
    async planTrain(input: TrainInput): Promise<TrainPlan> {
      try {
        const config = parseRunConfig(input.config);
        const model = runModelConfig(config);
        const stages = planStages(config, model);
        const manifest = await resolveDataset(store, input.data);
        const run = runPrefix(store, input.out);
        const plan: TrainPlan = {
          run,
          runUri: store.uri(run),
          data: { name: manifest.name, version: manifest.version },
          config,
          stages: stages.map((s) => ({ name: s.name, kind: s.kind, startStep: s.startStep, endStep: s.endStep })),
        };
        const body = JSON.stringify({ config, data: plan.data, stages: plan.stages }, null, 2);
        const key = joinKey(run, 'run.json');
        try {
          await store.putIfAbsent(key, new TextEncoder().encode(body));
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
          const existing = new TextDecoder().decode(await store.get(key));
          if (existing !== body) throw new TrainConfigError(`run ${store.uri(run)} already exists with a different config or dataset; choose another --out`, 'out');
        }
        return plan;
      } catch (err) {
        throw asActivityFailure(err);
      }
    },

    /** Runs one stage to its end; on cancellation checkpoints, then rethrows the cancellation. */
    async trainStage(input: StageInput): Promise<StageOutcome> {
      const ctx = Context.current();
      try {
        const config = parseRunConfig(input.plan.config);
        const model = runModelConfig(config);
        const stage = planStages(config, model).find((s) => s.name === input.stage);
        if (!stage) throw new TrainConfigError(`unknown stage ${input.stage}`, 'stage');
        const backend = await selectBackend(config.backend);
        const manifest = await readManifest(store, input.plan.data.name, input.plan.data.version);
        const shards = manifest.shards.map((s) => s.key);
        const run: RunLocation = { store, prefix: input.plan.run };
        ctx.heartbeat();
        if (config.init) await seedRunVocab(run, config.init, model); // --init: the checkpoint's own vocabulary
        const text = await runTextPipe(run, store, shards, model.text.vocabSize, model.text.maxLength);
        ctx.heartbeat();
        const result = await runStage({
          run,
          data: store,
          shards,
          config,
          model,
          stage,
          text,
          backend: backend.name,
          ...(deps.stores ? { stores: deps.stores } : {}),
          onStep: (p: StageHeartbeat) => ctx.heartbeat(p),
          shouldStop: () => ctx.cancellationSignal.aborted,
        });
        if (!result.finished) throw new CancelledFailure(`stage ${stage.name} stopped at checkpoint step ${result.step}`);
        return { stage: result.stage, step: result.step, finished: result.finished, checkpoint: result.checkpoint, loss: result.loss, dataWaitShare: result.dataWaitShare };
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  };
}

/** The activity interface the workflow proxies. */
export type TrainActivities = ReturnType<typeof createTrainActivities>;
