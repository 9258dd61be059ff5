// Training step: every stage-1 and stage-2 loss runs on cpu and wasm, the loss goes down, nothing leaks, and the EMA
// teacher follows the student (recipe §9.10).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { modelConfig, parseModelConfig } from '../../model/config.js';
import { naflexBatch, naflexPatchify } from '../../model/naflex.js';
import { randomPatchMask, mulberry32 } from '../../model/distill.js';
import { type TrainBatch, createTrainModel, disposeTrainModel, enableDistillation, trainStep } from '../../model/train-step.js';

function tinyBatch(b: number, seed: number): TrainBatch {
  const c = modelConfig('tiny');
  const t = c.text.maxLength;
  const rand = mulberry32(seed);
  const ids = tf.tensor2d(Int32Array.from({ length: b * t }, () => 3 + Math.floor(rand() * 50)), [b, t], 'int32');
  const lossMask = tf.tensor2d(Float32Array.from({ length: b * t }, (_, i) => (i % t < 6 ? 1 : 0)), [b, t]);
  const noBoxes = tf.zeros([b, t]) as tf.Tensor2D;
  const n = (c.vision.imageSize / c.vision.patchSize) ** 2;
  return {
    images: { kind: 'fixed', images: tf.randomUniform([b, 32, 32, 3], -1, 1, 'float32', seed) as tf.Tensor4D },
    ids,
    locca: [
      { targets: ids, lossMask, parallel: Array.from({ length: b }, (_, i) => i % 2 === 0) },
      { targets: ids, lossMask },
      { targets: ids, lossMask: noBoxes },
    ],
    distill: {
      global: { kind: 'fixed', images: tf.randomUniform([b, 32, 32, 3], -1, 1, 'float32', seed + 1) as tf.Tensor4D },
      locals: [0, 1].map((k) => ({ kind: 'fixed' as const, images: tf.randomUniform([b, 16, 16, 3], -1, 1, 'float32', seed + 2 + k) as tf.Tensor4D })),
      patchMask: tf.tensor2d(randomPatchMask(Array<number>(b).fill(n), n, 0.5, rand), [b, n]),
    },
  };
}

// The cpu backend runs the same step ~5× slower than wasm: it gets fewer steps to keep the suite fast.
for (const [backend, steps] of [['wasm', 5], ['cpu', 1]] as const) {
  describe(`train step on ${backend}`, () => {
    it('lowers the loss over a few steps on a fixed batch, with all losses and no tensor leak', async () => {
      await selectBackend(backend);
      const model = createTrainModel(modelConfig('tiny'), { seed: 7, optimizer: { lr: 3e-3 } });
      enableDistillation(model, { momentum: 0.9 });
      const batch = tinyBatch(4, 11);
      const first = trainStep(model, batch);
      assert.ok(first.sigmoid > 0 && first.locca > 0 && first.l2g > 0 && first.mask > 0, JSON.stringify(first));
      const expected = first.sigmoid + first.locca + 0.25 * first.l2g + 0.0625 * first.mask;
      assert.ok(Math.abs(first.loss - expected) < 1e-3 * expected, `total ${first.loss} vs parts ${expected}`);
      const tensors = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < steps; i++) last = trainStep(model, batch);
      assert.equal(tf.memory().numTensors, tensors, 'tensor count unchanged after further steps');
      assert.ok(last.sigmoid + last.locca < first.sigmoid + first.locca, `sigmoid+locca ${first.sigmoid + first.locca} → ${last.sigmoid + last.locca}`);
      assert.equal(last.step, steps + 1);
      disposeTrainModel(model);
      tf.dispose([batch.images.kind === 'fixed' ? batch.images.images : [], batch.ids, ...batch.locca!.map((l) => l.lossMask), batch.distill!.global.images, ...batch.distill!.locals.map((l) => l.images), batch.distill!.patchMask]);
    });
  });
}

describe('EMA teacher', () => {
  it('equals the student at switch-on, then m·teacher + (1−m)·student after a step', async () => {
    await selectBackend('cpu');
    const model = createTrainModel(modelConfig('tiny'), { seed: 3 });
    enableDistillation(model, { momentum: 0.9 });
    const name = 'vision_model.encoder.layers.0.mlp.fc1.weight';
    const teacher = model.distill!.teacher;
    const t0 = teacher.get(name).dataSync().slice();
    assert.deepEqual(t0, model.params.get(name).dataSync());
    assert.ok(!teacher.vars.has('text_model.head.weight'), 'the teacher holds the image side only');
    trainStep(model, tinyBatch(2, 5));
    const s1 = model.params.get(name).dataSync();
    const t1 = teacher.get(name).dataSync();
    let maxErr = 0;
    let moved = 0;
    for (let i = 0; i < t0.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(t1[i]! - (0.9 * t0[i]! + 0.1 * s1[i]!)));
      moved = Math.max(moved, Math.abs(s1[i]! - t0[i]!));
    }
    assert.ok(moved > 0, 'the student moved');
    assert.ok(maxErr < 1e-6, `EMA error ${maxErr}`);
    disposeTrainModel(model);
  });
});

describe('NaFlex training', () => {
  it('a NaFlex tiny model trains with LocCa on padded patch sequences without leaking', async () => {
    await selectBackend('wasm');
    const base = modelConfig('tiny');
    const c = parseModelConfig({ ...base, vision: { ...base.vision, naflex: true, patchSize: 4, posGrid: 4 } });
    const model = createTrainModel(c, { seed: 1 });
    const rand = mulberry32(3);
    const items = [[12, 20], [20, 12], [16, 16]].map(([h, w]) => naflexPatchify(Uint8Array.from({ length: h! * w! * 3 }, () => Math.floor(rand() * 256)), h!, w!, 4, 20));
    const t = c.text.maxLength;
    const ids = tf.tensor2d(Int32Array.from({ length: 3 * t }, () => 3 + Math.floor(rand() * 60)), [3, t], 'int32');
    const lossMask = tf.ones([3, t]) as tf.Tensor2D;
    const batch: TrainBatch = { images: naflexBatch(items), ids, locca: [{ targets: ids, lossMask, parallel: [true, false, true] }] };
    const first = trainStep(model, batch);
    const tensors = tf.memory().numTensors;
    const second = trainStep(model, batch);
    assert.equal(tf.memory().numTensors, tensors);
    assert.ok(Number.isFinite(first.loss) && first.locca > 0);
    assert.ok(second.loss < first.loss, `${first.loss} → ${second.loss}`);
    disposeTrainModel(model);
  });
});
