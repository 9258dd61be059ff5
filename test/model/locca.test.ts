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
import { chunkedCrossEntropySum } from '../../model/losses/locca.js';
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
