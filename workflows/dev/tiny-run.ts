// Shared set-up for training tests and the loader benchmark: a tiny run config on the emoji dataset and a stage runner over local storage.
import { modelConfig } from '../../model/config.js';
import { type RunLocation } from '../../model/run/checkpoint.js';
import { parseRunConfig, type RunConfig, type RunConfigInput } from '../../model/run/run-config.js';
import { planStages, type StagePlan } from '../../model/run/stages.js';
import { runTextPipe, type TextPipe } from '../../model/run/text.js';
import { runStage, type StageContext, type StageResult } from '../../model/run/trainer.js';
import { type ModelConfig } from '../../model/config.js';
import { type ObjectStore } from '../../storage/index.js';

/** A run config small enough for 2 cores: tiny model, batch 8, 20 base steps. */
export function tinyRun(over: Partial<RunConfigInput> = {}): RunConfig {
  return parseRunConfig({
    model: 'tiny',
    backend: 'wasm',
    seed: 3,
    batchSize: 8,
    examples: 160,
    optimizer: { lr: 3e-3, warmupSteps: 2 },
    distill: { at: 0.8, momentum: 0.9, locals: 2, localSize: 16 },
    checkpointEvery: 5,
    keepLast: 2,
    loader: { windowGroups: 2, prefetch: 1 },
    ...over,
  });
}

/** A run in a store: its stages and text pipe, with a runner per stage. */
export interface TestRun {
  config: RunConfig;
  model: ModelConfig;
  stages: StagePlan[];
  text: TextPipe;
  run: RunLocation;
  stage(name: string, extra?: Partial<StageContext>): Promise<StageResult>;
}

/** Prepares a run under `prefix` of `store` training on `shards`. */
export async function testRun(store: ObjectStore, shards: string[], config: RunConfig, prefix = 'runs/t'): Promise<TestRun> {
  const model = typeof config.model === 'string' ? modelConfig(config.model) : config.model;
  const run = { store, prefix };
  const text = await runTextPipe(run, store, shards, model.text.vocabSize, model.text.maxLength);
  const stages = planStages(config, model);
  return {
    config,
    model,
    stages,
    text,
    run,
    stage: (name, extra = {}) =>
      runStage({ run, data: store, shards, config, model, stage: stages.find((s) => s.name === name)!, text, backend: 'cpu', ...extra }),
  };
}
