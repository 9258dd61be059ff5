// LocCa (recipe §3, §9.9): parallel-prediction invariance, chunked softmax = full, targets with prefixes and boxes,
// and random patch masks of exactly ⌊0.5·N⌋ (§9.10).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { modelConfig } from '../../model/config.js';
import { decoderForward, decoderLogits, decoderSpecs } from '../../model/decoder.js';
import { mulberry32, randomPatchMask } from '../../model/distill.js';
import { arefTarget, boxText, captionTarget, gcapTarget } from '../../model/locca-targets.js';
import { type LoccaTask, chunkedCrossEntropySum, loccaLoss, loccaTaskLoss, loccaWeightedLoss } from '../../model/losses/locca.js';
import { ModelInputError } from '../../model/errors.js';
import { ParamStore } from '../../model/params.js';
import { GEMMA, type TextEncoder } from '../../model/tokenizer.js';

const c = modelConfig('tiny');
// A deterministic word-level encoder keeps these tests independent of the 2.5 s Gemma load.
const words: TextEncoder = { encode: (t) => t.split(/\s+/).filter(Boolean).map((w) => 10 + ([...w].reduce((a, ch) => a + ch.charCodeAt(0), 0) % 500)) };

describe('LocCa decoder', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('parallel-prediction logits do not depend on the targets (inputs are all [MASK])', () => {
    const params = ParamStore.init(decoderSpecs(c), 4);
    const diffs = tf.tidy(() => {
      const img = tf.randomNormal([2, 16, c.vision.width], 0, 1, 'float32', 1);
      const t1 = tf.tensor2d(Int32Array.from({ length: 32 }, (_, i) => 3 + (i % 40)), [2, 16], 'int32');
      const t2 = tf.tensor2d(Int32Array.from({ length: 32 }, (_, i) => 3 + ((i * 7) % 90)), [2, 16], 'int32');
      const run = (t: tf.Tensor2D, parallel: boolean[]) => decoderForward(params.get, c, { targets: t, parallel, imageTokens: img });
      return {
        parallel: tf.max(tf.abs(tf.sub(run(t1, [true, true]), run(t2, [true, true])))).dataSync()[0]!,
        ar: tf.max(tf.abs(tf.sub(run(t1, [false, false]), run(t2, [false, false])))).dataSync()[0]!,
        // AR position 0 sees only BOS: unchanged by the targets; a mixed batch keeps each row's mode.
        arFirst: tf.max(tf.abs(tf.sub(tf.slice(run(t1, [false, true]), [0, 0, 0], [1, 1, -1]), tf.slice(run(t2, [false, true]), [0, 0, 0], [1, 1, -1])))).dataSync()[0]!,
      };
    });
    params.dispose();
    assert.ok(diffs.parallel < 1e-6, `parallel moved by ${diffs.parallel}`);
    assert.ok(diffs.ar > 1e-3, 'autoregressive logits do depend on the targets');
    assert.ok(diffs.arFirst < 1e-6, 'causal mask: position 0 sees only BOS');
  });

  it('chunked vocabulary cross-entropy equals the full one', () => {
    const params = ParamStore.init(decoderSpecs(c), 5);
    const [chunked, full] = tf.tidy(() => {
      const h = tf.randomNormal([10, c.text.width], 0, 1, 'float32', 2) as tf.Tensor2D;
      const tgt = tf.tensor1d([1, 5, 9, 100, 3, 3, 7, 8, 1000, 2], 'int32');
      const mask = tf.tensor1d([1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
      const logits = decoderLogits(params.get, h);
      const nll = tf.neg(tf.sum(tf.mul(tf.sub(logits, tf.logSumExp(logits, -1, true)), tf.oneHot(tgt, c.text.vocabSize)), -1));
      return [chunkedCrossEntropySum(params.get, h, tgt, mask, 3).dataSync()[0]!, tf.sum(tf.mul(nll, mask)).dataSync()[0]!];
    });
    params.dispose();
    assert.ok(Math.abs(chunked - full) < 1e-3, `${chunked} vs ${full}`);
  });
});

describe('LocCa loss over several tasks', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('one decoder pass for all tasks equals the mean of per-task losses, value and gradients (1e-5 relative)', () => {
    const params = ParamStore.init(decoderSpecs(c), 6);
    const vars = [...params.vars.values()];
    const [b, t] = [3, c.text.maxLength];
    const res = tf.tidy(() => {
      const img = tf.randomNormal([b, 16, c.vision.width], 0, 1, 'float32', 3);
      const ids = (k: number) => tf.tensor2d(Int32Array.from({ length: b * t }, (_, i) => 3 + ((i * k) % 300)), [b, t], 'int32');
      const mask = (k: number) => tf.tensor2d(Float32Array.from({ length: b * t }, (_, i) => (i % t < k + (i % 3) ? 1 : 0)), [b, t]);
      const tasks: LoccaTask[] = [
        { targets: ids(7), lossMask: mask(5), parallel: [true, false, true] },
        { targets: ids(11), lossMask: mask(0).mul(0) as tf.Tensor2D }, // no supervised token: left out of the mean
        { targets: ids(13), lossMask: mask(2) },
      ];
      const fused = tf.variableGrads(() => loccaLoss(params.get, c, tasks, img, undefined, 20), vars);
      const perTask = tf.variableGrads(() => tf.div(tf.add(loccaTaskLoss(params.get, c, tasks[0]!, img, undefined, 7), loccaTaskLoss(params.get, c, tasks[2]!, img)), 2) as tf.Scalar, vars);
      const weighted = loccaWeightedLoss(params.get, c, [tasks[0]!, tasks[2]!], [0.5, 2], img);
      const expected = tf.add(tf.mul(loccaTaskLoss(params.get, c, tasks[0]!, img), 0.5 * tf.sum(tasks[0]!.lossMask).dataSync()[0]!), tf.mul(loccaTaskLoss(params.get, c, tasks[2]!, img), 2 * tf.sum(tasks[2]!.lossMask).dataSync()[0]!));
      // Against the largest gradient element of all: some (the key biases) are analytically zero, i.e. rounding noise.
      const scale = Math.max(...vars.map((v) => tf.max(tf.abs(perTask.grads[v.name]!)).dataSync()[0]!));
      const worst = Math.max(...vars.map((v) => tf.max(tf.abs(tf.sub(fused.grads[v.name]!, perTask.grads[v.name]!))).dataSync()[0]!));
      return { a: fused.value.dataSync()[0]!, b: perTask.value.dataSync()[0]!, w: weighted.dataSync()[0]!, e: expected.dataSync()[0]!, worst: worst / scale };
    });
    params.dispose();
    assert.ok(Math.abs(res.a - res.b) <= 1e-5 * res.b, `one pass ${res.a} vs per task ${res.b}`);
    assert.ok(Math.abs(res.w - res.e) <= 1e-5 * res.e, `weighted ${res.w} vs ${res.e}`);
    assert.ok(res.worst <= 1e-4, `gradients differ by ${res.worst} of the largest element`);
  });

  it('rejects tasks of different shapes with an error naming the task', () => {
    const params = ParamStore.init(decoderSpecs(c), 7);
    tf.tidy(() => {
      const img = tf.zeros([2, 4, c.vision.width]);
      const task = (rows: number): LoccaTask => ({ targets: tf.zeros([rows, c.text.maxLength], 'int32') as tf.Tensor2D, lossMask: tf.ones([rows, c.text.maxLength]) as tf.Tensor2D });
      assert.throws(() => loccaWeightedLoss(params.get, c, [task(2), task(3)], [1, 1], img), (e: unknown) => e instanceof ModelInputError && /tasks\[1\]: LocCa tasks must share one \[B, T\] shape/.test((e as Error).message));
    });
    params.dispose();
  });
});

describe('LocCa targets', () => {
  const o = { length: 16 };
  const box = { x0: 0.1, y0: 0.2, x1: 0.5, y1: 0.999, label: 'red circle' };

  it('captioning supervises the caption and EOS', () => {
    const t = captionTarget(words, 'A red circle', o);
    assert.deepEqual([...t.ids.subarray(0, 4)], [...words.encode('a red circle'), GEMMA.eos]);
    assert.deepEqual([...t.lossMask.subarray(0, 5)], [1, 1, 1, 1, 0]);
  });

  it('ARef and GCap supervise only what follows the prefix; boxes are quantized integers', () => {
    assert.equal(boxText(box), '50 100 250 499');
    const aref = arefTarget(words, box, o);
    const prefix = words.encode('aref: red circle :').length;
    assert.ok(aref.lossMask.subarray(0, prefix).every((v) => v === 0));
    assert.equal(aref.lossMask.reduce((a, b) => a + b, 0), 4 + 1);
    const gcap = gcapTarget(words, box, o);
    assert.equal(gcap.lossMask.reduce((a, b) => a + b, 0), 2 + 1);
    const mapped = captionTarget(words, 'a', { length: 4, mapIds: (ids) => Int32Array.from(ids, (v) => (v > 3 ? 7 : v)) });
    assert.deepEqual([...mapped.ids], [7, GEMMA.eos, 0, 0]);
  });

  it('long sequences keep EOS last', () => {
    const t = captionTarget(words, 'w '.repeat(40), o);
    assert.equal(t.ids[15], GEMMA.eos);
    assert.ok(t.lossMask.every((v) => v === 1));
  });
});

describe('patch masks', () => {
  it('mask exactly ⌊0.5·N⌋ of each row’s valid patches and none of the padding', () => {
    const valid = [16, 15, 7, 1];
    const m = randomPatchMask(valid, 16, 0.5, mulberry32(9));
    valid.forEach((n, b) => {
      const row = m.subarray(b * 16, b * 16 + 16);
      assert.equal(row.reduce((a, v) => a + v, 0), Math.floor(0.5 * n));
      assert.ok(row.subarray(n).every((v) => v === 0));
    });
  });
});
