// AdamW with big_vision semantics (recipe §7): θ −= s(t)·(lr·adam + wd·θ) for kernels only, global-norm clipping,
// and the warm-up + cosine multiplier.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { AdamW, isDecayed } from '../../model/optimizer.js';
import { ParamStore } from '../../model/params.js';
import { warmupCosine } from '../../model/schedule.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('AdamW', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('first step: θ − s·(lr·g/(|g|+ε) + wd·θ) on kernels, no decay on biases; reports the raw gradient norm', () => {
    const store = ParamStore.fromTensors(new Map<string, tf.Tensor>([
      ['layer.fc.weight', tf.tensor2d([[2, -1]])],
      ['layer.fc.bias', tf.tensor1d([3])],
    ]));
    const opt = new AdamW({ lr: 0.1, weightDecay: 0.5, warmupSteps: 4, totalSteps: 100, clipNorm: 1 });
    const grads = { 'layer.fc.weight': tf.tensor2d([[3, 0]]), 'layer.fc.bias': tf.tensor1d([-4]) };
    const info = opt.apply(store, grads);
    close(info.gradNorm as number, 5); // a number on cpu (a device scalar on a GPU)
    close(info.multiplier, 0.25); // warm-up step 1 of 4
    const w = store.get('layer.fc.weight').dataSync();
    const eps = 1e-8;
    close(w[0]!, 2 - 0.25 * (0.1 * (0.6 / (0.6 + eps)) + 0.5 * 2), 1e-5); // clipped g = 0.6
    close(w[1]!, -1 - 0.25 * (0 + 0.5 * -1), 1e-5);
    close(store.get('layer.fc.bias').dataSync()[0]!, 3 - 0.25 * 0.1 * -1, 1e-5);
    assert.equal(opt.step, 1);
    assert.equal(opt.stateTensors().size, 4);
    tf.dispose(Object.values(grads));
    opt.dispose();
    store.dispose();
  });

  it('decays kernels only', () => {
    assert.equal(isDecayed('text_model.encoder.layers.0.mlp.fc1.weight', 2), true);
    assert.equal(isDecayed('vision_model.head.attention.in_proj_weight', 2), true);
    for (const [n, r] of [['text_model.embeddings.token_embedding.weight', 2], ['vision_model.embeddings.position_embedding.weight', 2], ['vision_model.head.probe', 3], ['logit_scale', 1], ['x.bias', 1], ['x.layer_norm1.weight', 1]] as const) {
      assert.equal(isDecayed(n, r), false, n);
    }
  });

  it('rejects bad settings naming the field', () => {
    assert.throws(() => new AdamW({ lr: -1 }), /optimizer config: lr/);
  });
});

describe('warm-up + cosine', () => {
  it('ramps linearly, peaks at 1 and decays to 0 at the end', () => {
    close(warmupCosine(0, 10, 110), 0.1);
    close(warmupCosine(9, 10, 110), 1);
    close(warmupCosine(10, 10, 110), 1);
    close(warmupCosine(60, 10, 110), 0.5);
    close(warmupCosine(110, 10, 110), 0);
    close(warmupCosine(500, 10, 110), 0);
  });
});
