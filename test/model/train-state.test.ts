// Training-state round trip: save after a step, load, and both copies take the identical next step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { modelConfig } from '../../model/config.js';
import { loadTrainState, trainStateBytes } from '../../model/train-state.js';
import { createTrainModel, disposeTrainModel, enableDistillation, trainStep } from '../../model/train-step.js';
import { encodeSafetensors } from '../../model/safetensors.js';

describe('train state', () => {
  it('round-trips parameters, optimizer, teacher and step; the next step is identical', async () => {
    await selectBackend('wasm');
    const c = modelConfig('tiny');
    const model = createTrainModel(c, { seed: 2, optimizer: { lr: 2e-3, warmupSteps: 3 } });
    enableDistillation(model, { momentum: 0.95 });
    const b = 2;
    const t = c.text.maxLength;
    const batch = {
      images: { kind: 'fixed' as const, images: tf.randomUniform([b, 32, 32, 3], -1, 1, 'float32', 4) as tf.Tensor4D },
      ids: tf.tensor2d(Int32Array.from({ length: b * t }, (_, i) => 3 + i), [b, t], 'int32'),
    };
    trainStep(model, batch);
    const bytes = await trainStateBytes(model);
    const copy = loadTrainState(bytes);
    assert.deepEqual(copy.config, model.config);
    assert.equal(copy.optimizer.step, 1);
    assert.deepEqual(copy.optimizer.config, model.optimizer.config);
    assert.equal(copy.distill?.momentum, 0.95);
    assert.deepEqual([...copy.params.vars.keys()].sort(), [...model.params.vars.keys()].sort());
    const a = trainStep(model, batch);
    const r = trainStep(copy, batch);
    assert.equal(r.loss, a.loss);
    assert.equal(r.step, 2);
    const name = 'vision_model.encoder.layers.1.mlp.fc2.weight';
    assert.deepEqual(copy.params.get(name).dataSync(), model.params.get(name).dataSync());
    assert.deepEqual(copy.distill!.teacher.get(name).dataSync(), model.distill!.teacher.get(name).dataSync());
    disposeTrainModel(model);
    disposeTrainModel(copy);
    tf.dispose([batch.images.images, batch.ids]);
    assert.throws(() => loadTrainState(encodeSafetensors(new Map(), { format: 'other' })), /not a sigforge train state/);
  });
});
