// Evaluation metrics on hand-built embeddings whose answers are known by construction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { associationBias, representationBias } from '../../model/eval/bias.js';
import { EvalConfigError, EvalDataError } from '../../model/eval/errors.js';
import { fromRows, normalizeRows, similarity, takeRows } from '../../model/eval/matrix.js';
import { averageClassEmbeddings, buildPrompts, canonicalizeName } from '../../model/eval/prompts.js';
import { retrieval } from '../../model/eval/retrieval.js';
import { zeroShot } from '../../model/eval/zeroshot.js';

await tf.setBackend('cpu');

describe('zero-shot', () => {
  const classes = fromRows([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ]);
  it('top-1 and top-k accuracy with known ranks', async () => {
    // image 0 → class 0 (correct); image 1 prefers 0 then 1 (truth 1: rank 1); image 2 prefers 0, 1, 2 (truth 2: rank 2)
    const images = fromRows([
      [1, 0, 0, 0],
      [0.9, 0.5, 0, 0],
      [0.9, 0.5, 0.1, 0],
    ]);
    const r = await zeroShot(images, classes, [0, 1, 2], [1, 2, 3]);
    assert.deepEqual(r.accuracy, { top1: 1 / 3, top2: 2 / 3, top3: 1 });
    assert.deepEqual([...r.predictions], [0, 0, 0]);
  });
  it('ties count against the true class (constant embeddings score 0, not 100%)', async () => {
    const images = fromRows([[0, 0, 0, 1]]);
    assert.equal((await zeroShot(images, classes, [1], [1])).accuracy.top1, 0);
  });
  it('rejects labels that are not class indices, naming the image', async () => {
    await assert.rejects(async () => zeroShot(fromRows([[1, 0, 0, 0]]), classes, [3]), (e: unknown) => e instanceof EvalDataError && /label 3 of image 0/.test(e.message));
    await assert.rejects(async () => zeroShot(fromRows([[1, 0, 0, 0]]), classes, [0, 1]), /2 labels for 1 images/);
  });
});

describe('template averaging', () => {
  it('canonicalizes class names', () => {
    assert.equal(canonicalizeName('  Great_White  Shark!'), 'great white shark');
    assert.equal(canonicalizeName('Ärger, „groß“'), 'ärger groß');
  });
  it('builds prompts per class, name and template', () => {
    const p = buildPrompts([['Cat'], ['dog', 'puppy']], ['a photo of {}.', '{}']);
    assert.deepEqual(p.texts, ['a photo of cat.', 'cat', 'a photo of dog.', 'dog', 'a photo of puppy.', 'puppy']);
    assert.deepEqual(p.groups, [[0, 1], [2, 3, 4, 5]]);
    assert.throws(() => buildPrompts([['cat']], ['no placeholder']), EvalConfigError);
  });
  it('normalizes each prompt before averaging and re-normalizes the mean', () => {
    // A long prompt vector must not dominate: [10,0] and [0,1] average to the diagonal, not to ≈[1,0].
    const prompts = fromRows([
      [10, 0],
      [0, 1],
      [0, 3],
    ]);
    const c = averageClassEmbeddings(prompts, [[0, 1], [2]]);
    const s = Math.SQRT1_2;
    assert.ok(Math.abs(c.data[0]! - s) < 1e-6 && Math.abs(c.data[1]! - s) < 1e-6, `got ${[...c.data]}`);
    assert.deepEqual([...c.data.subarray(2)], [0, 1]);
  });
});

describe('retrieval', () => {
  it('recall@k in both directions with two captions per image', async () => {
    const images = normalizeRows(fromRows([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]));
    // captions 0,1 → image 0; 2,3 → image 1; 4 → image 2. Caption 3 looks like image 2; caption 4 like image 0.
    const texts = normalizeRows(fromRows([
      [1, 0, 0],
      [0.9, 0.1, 0],
      [0.1, 1, 0],
      [0, 0.2, 1],
      [1, 0, 0.5],
    ]));
    const r = await retrieval(images, texts, [0, 0, 1, 1, 2], [1, 2]);
    // image 0: best own caption 0 (sim 1) but caption 4 (0.894) is lower → rank 0. image 1: caption 2 best → rank 0.
    // image 2: its caption 4 (0.447) is beaten by caption 3 (0.98) → rank 1.
    assert.deepEqual(r.imageToText, { r1: 2 / 3, r2: 1 });
    // caption 3 retrieves image 2 first (rank 1); caption 4 retrieves image 0 first (rank 1); others rank 0.
    assert.deepEqual(r.textToImage, { r1: 3 / 5, r2: 1 });
    assert.equal(r.images, 3);
    assert.equal(r.texts, 5);
  });
  it('rejects captions that name a missing image', async () => {
    const m = fromRows([[1, 0]]);
    await assert.rejects(async () => retrieval(m, m, [4]), /caption 0 names image 4/);
  });
});

describe('block-wise similarity', () => {
  it('gives the same answers across blocks (more rows than one block holds)', async () => {
    const n = 1500;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const m = normalizeRows({ rows: n, cols: 16, data: Float32Array.from({ length: n * 16 }, rand) });
    const ids = Array.from({ length: n }, (_, i) => i);
    // Each caption is its image: every query's own item is its unique best match, in every block.
    const r = await retrieval(m, m, ids, [1]);
    assert.deepEqual([r.imageToText.r1, r.textToImage.r1], [1, 1]);
    assert.equal((await zeroShot(m, m, ids, [1])).accuracy.top1, 1);
    const small = await similarity(m, takeRows(m, [0, 1, 2]), 7);
    const big = await similarity(m, takeRows(m, [0, 1, 2]));
    assert.deepEqual(small.data, big.data);
  });
});

describe('fairness', () => {
  it('representation bias on a constructed case', async () => {
    const labels = fromRows([
      [1, 0],
      [0, 1],
    ]);
    // 3 of 4 images lean towards the first label ("man") → P = 0.75, RB = 0.25.
    const images = fromRows([
      [0.9, 0.1],
      [0.6, 0.4],
      [0.7, 0.2],
      [0.1, 0.9],
    ]);
    const r = await representationBias(images, labels);
    assert.equal(r.pFirst, 0.75);
    assert.equal(r.rb, 0.25);
    assert.equal((await representationBias(fromRows([[1, 0], [0, 1]]), labels)).rb, 0);
  });
  it('association bias: accuracy gap per concept and prediction gap between groups', async () => {
    const concepts = fromRows([
      [1, 0],
      [0, 1],
    ]);
    // doctor images: the man is recognized, the woman is taken for a nurse; nurse images: both recognized.
    const images = fromRows([
      [1, 0],
      [0.2, 0.8],
      [0, 1],
      [0, 1],
    ]);
    const r = await associationBias(images, concepts, ['man', 'woman', 'man', 'woman'], [0, 0, 1, 1], ['doctor', 'nurse']);
    assert.deepEqual(r.perConcept, [
      { concept: 'doctor', accuracy: { man: 1, woman: 0 }, gap: 1 },
      { concept: 'nurse', accuracy: { man: 1, woman: 1 }, gap: 0 },
    ]);
    assert.equal(r.meanAccuracyGap, 0.5);
    // man predictions: doctor 1/2, nurse 1/2; woman: nurse 2/2 → total variation 0.5.
    assert.equal(r.predictionGap, 0.5);
  });
});
