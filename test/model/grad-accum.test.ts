// Gradient accumulation: one optimizer step over micro-batches equals one step over the concatenated batch, with
// the sigmoid loss over all |B|² pairs (not per micro-batch), LocCa and distillation shares, teacher centers and EMA.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { modelConfig } from '../../model/config.js';
import { mulberry32, randomPatchMask } from '../../model/distill.js';
import { sigmoidLoss } from '../../model/losses/sigmoid.js';
import { siglipForward } from '../../model/siglip.js';
import {
  type TrainBatch,
  type TrainModel,
  createTrainModel,
  disposeTrainModel,
  enableDistillation,
  trainStep,
  trainStepAccumulated,
} from '../../model/train-step.js';

const c = modelConfig('tiny');

/** A tiny batch with every input the step can use; `captionRows` rows carry captioning targets (others none). */
function tinyBatch(b: number, seed: number, captionRows = b): TrainBatch {
  const t = c.text.maxLength;
  const rand = mulberry32(seed);
  const ids = tf.tensor2d(Int32Array.from({ length: b * t }, () => 3 + Math.floor(rand() * 50)), [b, t], 'int32');
  // Rows supervise different numbers of tokens, so token-weighted averages differ from per-row ones.
  const lossMask = tf.tensor2d(Float32Array.from({ length: b * t }, (_, i) => (Math.floor(i / t) < captionRows && i % t < 2 + ((seed + Math.floor(i / t)) % 5) ? 1 : 0)), [b, t]);
  const arefMask = tf.tensor2d(Float32Array.from({ length: b * t }, (_, i) => (i % t < 3 ? 1 : 0)), [b, t]);
  const n = (c.vision.imageSize / c.vision.patchSize) ** 2;
  return {
    images: { kind: 'fixed', images: tf.randomUniform([b, 32, 32, 3], -1, 1, 'float32', seed) as tf.Tensor4D },
    ids,
    locca: [
      { targets: ids, lossMask, parallel: Array.from({ length: b }, (_, i) => i % 2 === 0) },
      { targets: ids, lossMask: arefMask },
    ],
    distill: {
      global: { kind: 'fixed', images: tf.randomUniform([b, 32, 32, 3], -1, 1, 'float32', seed + 1) as tf.Tensor4D },
      locals: [0, 1].map((k) => ({ kind: 'fixed' as const, images: tf.randomUniform([b, 16, 16, 3], -1, 1, 'float32', seed + 2 + k) as tf.Tensor4D })),
      patchMask: tf.tensor2d(randomPatchMask(Array<number>(b).fill(n), n, 0.5, rand), [b, n]),
    },
  };
}

/** The batch the micro-batches make together, row order kept. */
function concatBatches(bs: readonly TrainBatch[]): TrainBatch {
  const cat = <T extends tf.Tensor>(ts: T[]): T => tf.concat(ts, 0) as T;
  const fixed = (x: TrainBatch['images']): tf.Tensor4D => {
    if (x.kind !== 'fixed') throw new Error('fixed images expected');
    return x.images;
  };
  return {
    images: { kind: 'fixed', images: cat(bs.map((b) => fixed(b.images))) },
    ids: cat(bs.map((b) => b.ids)),
    locca: bs[0]!.locca!.map((_, j) => ({
      targets: cat(bs.map((b) => b.locca![j]!.targets)),
      lossMask: cat(bs.map((b) => b.locca![j]!.lossMask)),
      ...(bs[0]!.locca![j]!.parallel ? { parallel: bs.flatMap((b) => [...b.locca![j]!.parallel!]) } : {}),
    })),
    distill: {
      global: { kind: 'fixed', images: cat(bs.map((b) => b.distill!.global.images)) },
      locals: bs[0]!.distill!.locals.map((_, v) => ({ kind: 'fixed' as const, images: cat(bs.map((b) => b.distill!.locals[v]!.images)) })),
      patchMask: cat(bs.map((b) => b.distill!.patchMask)),
    },
  };
}

function snapshot(model: TrainModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.params.vars) out.set(name, v.dataSync() as Float32Array);
  if (model.distill) {
    out.set('#centerGlobal', model.distill.centerGlobal.dataSync() as Float32Array);
    out.set('#centerPatch', model.distill.centerPatch.dataSync() as Float32Array);
    for (const [name, v] of model.distill.teacher.vars) out.set(`#teacher/${name}`, v.dataSync() as Float32Array);
  }
  return out;
}

const LR = 1e-3;

describe('gradient accumulation', () => {
  for (const distill of [false, true]) {
    it(`one step over 3 micro-batches equals one step over their concatenation${distill ? ' (with distillation)' : ''}`, async () => {
      await selectBackend('wasm');
      const micros = [tinyBatch(3, 21), tinyBatch(3, 22, 1), tinyBatch(3, 23)];
      const whole = concatBatches(micros);
      const make = (): TrainModel => {
        // eps 1e-6: some gradients are analytically zero (attention key biases), and Adam's first step turns their
        // rounding noise (~1e-9) into ±lr·g/(|g| + eps); with 1e-6 that stays far below the tolerance, whatever
        // order the two paths sum in, while real gradients (≫ 1e-6) still move their weights by ≈ lr.
        const m = createTrainModel(c, { seed: 5, optimizer: { lr: LR, eps: 1e-6 } });
        if (distill) enableDistillation(m, { momentum: 0.9 });
        return m;
      };
      const a = make();
      const b = make();
      const before = snapshot(a);
      const ra = trainStep(a, distill ? whole : { ...whole, distill: undefined });
      const rb = trainStepAccumulated(b, distill ? micros : micros.map((m) => ({ ...m, distill: undefined })));
      for (const k of ['loss', 'sigmoid', 'locca', 'l2g', 'mask', 'gradNorm'] as const) {
        assert.ok(Math.abs(ra[k] - rb[k]) <= 1e-4 * Math.max(1, Math.abs(ra[k])), `${k}: whole ${ra[k]} vs accumulated ${rb[k]}`);
      }
      assert.ok(ra.locca > 0 && (!distill || (ra.l2g > 0 && ra.mask > 0)), JSON.stringify(ra));
      const sa = snapshot(a);
      const sb = snapshot(b);
      let moved = 0;
      for (const [name, va] of sa) {
        const vb = sb.get(name)!;
        const v0 = before.get(name);
        for (let i = 0; i < va.length; i++) {
          // Adam's first step is ±lr per element: compare to a small fraction of it.
          assert.ok(Math.abs(va[i]! - vb[i]!) <= 0.02 * LR + 1e-6 * Math.abs(va[i]!), `${name}[${i}]: ${va[i]} vs ${vb[i]}`);
          if (v0) moved = Math.max(moved, Math.abs(va[i]! - v0[i]!));
        }
      }
      assert.ok(moved > 0.5 * LR, `the step moved parameters (max |Δθ| = ${moved})`);
      // The first step created the optimizer moments; further steps allocate nothing that stays.
      const tensors = tf.memory().numTensors;
      trainStepAccumulated(b, distill ? micros : micros.map((m) => ({ ...m, distill: undefined })));
      assert.equal(tf.memory().numTensors, tensors, 'no tensor leaked by the accumulated step');
      disposeTrainModel(a);
      disposeTrainModel(b);
      tf.dispose([...micros, whole].flatMap((m) => [
        (m.images as { images: tf.Tensor }).images,
        m.ids,
        ...m.locca!.map((l) => l.lossMask),
        ...(m === whole ? m.locca!.map((l) => l.targets).slice(0, 1) : []),
        m.distill!.global.images,
        ...m.distill!.locals.map((l) => l.images),
        m.distill!.patchMask,
      ]));
    });
  }

  it('differs from averaging per-micro-batch sigmoid losses (what naive accumulation would train)', async () => {
    await selectBackend('wasm');
    const micros = [tinyBatch(3, 31), tinyBatch(3, 32)];
    const model = createTrainModel(c, { seed: 5 });
    // b = 0 (as after some training) so that negatives weigh in the loss; at b = −10 they hardly do.
    const bias = model.params.vars.get('logit_bias')!;
    bias.assign(tf.zerosLike(bias));
    const p = model.params.get;
    const losses = tf.tidy(() => {
      const outs = micros.map((m) => siglipForward(p, c, m.images, m.ids));
      const whole = sigmoidLoss(tf.concat(outs.map((o) => o.zimg)), tf.concat(outs.map((o) => o.ztxt)), p('logit_scale'), p('logit_bias'));
      const naive = tf.mean(tf.stack(outs.map((o) => sigmoidLoss(o.zimg, o.ztxt, p('logit_scale'), p('logit_bias')))));
      return [whole.dataSync()[0]!, naive.dataSync()[0]!];
    });
    const r = trainStepAccumulated(model, micros.map((m) => ({ ...m, distill: undefined })));
    assert.ok(Math.abs(r.sigmoid - losses[0]!) < 1e-4 * losses[0]!, `accumulated ${r.sigmoid} vs whole-batch ${losses[0]}`);
    assert.ok(Math.abs(losses[0]! - losses[1]!) > 1e-2 * losses[0]!, `whole ${losses[0]} vs naive ${losses[1]} must differ`);
    disposeTrainModel(model);
  });
});
