// Curriculum planning and checkpoint integrity: switch and branch steps, the stretched NaFlex schedule continues the
// base cosine, a bad config names its field, and a damaged checkpoint file is refused with its URI.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { selectBackend } from '../../model/backend.js';
import { modelConfig } from '../../model/config.js';
import { checkpointKey, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint } from '../../model/run/checkpoint.js';
import { TrainCheckpointError } from '../../model/run/errors.js';
import { parseRunConfig } from '../../model/run/run-config.js';
import { planStages } from '../../model/run/stages.js';
import { warmupCosine } from '../../model/schedule.js';
import { createTrainModel, disposeTrainModel } from '../../model/train-step.js';
import { startPosition } from '../../pipelines/loader/position.js';
import { openStore } from '../../storage/index.js';

describe('curriculum plan', () => {
  const run = parseRunConfig({
    model: 'tiny',
    batchSize: 16,
    examples: 3200,
    optimizer: { warmupSteps: 10 },
    resolutions: [{ size: 48 }],
    naflex: { seqLens: [4, 16] },
    acid: { examples: 640, teacher: 's3://bucket/runs/reference/stages/base/checkpoints/step-0001000' },
  });
  const stages = planStages(run, modelConfig('tiny'));

  it('switches distillation on at 80%, branches at 95% and 90%, runs ACID after 100% with lr 1e-5 and no decay', () => {
    assert.deepEqual(stages.map((s) => [s.name, s.startStep, s.endStep]), [['base', 0, 200], ['res-48', 190, 200], ['naflex', 180, 255], ['acid', 200, 240]]);
    assert.equal(stages[0]!.distillAt, 160);
    assert.deepEqual(stages[0]!.marks, [180, 190, 200]);
    assert.equal(stages[2]!.distill, false);
    assert.deepEqual([stages[3]!.optimizer.lr, stages[3]!.optimizer.weightDecay, stages[3]!.locca], [1e-5, 0, false]);
  });

  it('stretches the remaining cosine of the NaFlex stage by 3.75 without a jump', () => {
    const o = stages[2]!.optimizer;
    const start = o.scheduleStart as number;
    const at = (k: number) => warmupCosine(start + k, o.warmupSteps, o.totalSteps!);
    // Integer schedule steps round 3.75 × 170 and 3.75 × 190; the multiplier is continuous within that rounding.
    assert.ok(Math.abs(at(0) - warmupCosine(180, 10, 200)) < 1e-3);
    assert.ok(Math.abs(at(Math.round(3.75 * 10)) - warmupCosine(190, 10, 200)) < 1e-3);
    assert.ok(at(75) < 1e-3, 'ends at the end of the cosine');
  });

  it('rejects a bad config with the field named', () => {
    assert.throws(() => parseRunConfig({ model: 'tiny', batchSize: 0, examples: 10 }), /train config batchSize/);
    assert.throws(() => planStages(parseRunConfig({ model: 'tiny', batchSize: 4, examples: 40, resolutions: [{ size: 50 }] }), modelConfig('tiny')), /resolutions\.size/);
  });
});

describe('checkpoints', () => {
  it('round-trip, prune all but the newest and the marks, and refuse a damaged file', async () => {
    await selectBackend('cpu');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-ckpt-'));
    try {
      const store = openStore(pathToFileURL(dir).href);
      const loc = { store, prefix: 'runs/c' };
      const model = createTrainModel(modelConfig('tiny'), { seed: 1 });
      for (const step of [1, 2, 3, 4, 5]) await saveCheckpoint(loc, 'base', model, { step, loader: startPosition(1), seed: 1 });
      assert.deepEqual(await pruneCheckpoints(loc, 'base', 2, [2]), [1, 3]);
      assert.deepEqual(await listCheckpoints(loc, 'base'), [2, 4, 5]);
      const { model: back, meta } = await loadCheckpoint(store, checkpointKey(loc, 'base', 5), {});
      assert.deepEqual([...back.params.vars.keys()], [...model.params.vars.keys()]);
      const name = 'text_model.head.weight';
      assert.deepEqual(back.params.get(name).dataSync(), model.params.get(name).dataSync());
      assert.equal(meta.step, 5);
      disposeTrainModel(back);
      const key = `${checkpointKey(loc, 'base', 4)}/model.safetensors`;
      const bytes = await store.get(key);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      await store.put(key, bytes);
      await assert.rejects(loadCheckpoint(store, checkpointKey(loc, 'base', 4), {}), (e: unknown) => e instanceof TrainCheckpointError && /model\.safetensors.*sha256/.test(e.message));
      disposeTrainModel(model);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
