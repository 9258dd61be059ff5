// A checkpoint imported from the HF fixture (written by scripts/reference/siglip2_fixtures.py) gives the same
// zero-shot predictions as the HF reference logits, through the evaluation model loader and the zero-shot metric.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { selectBackend } from '../../model/backend.js';
import { EvalConfigError } from '../../model/eval/errors.js';
import { evalModelFromFiles } from '../../model/eval/eval-model.js';
import { loadEvalModel } from '../../model/eval/load-model.js';
import { similarity } from '../../model/eval/matrix.js';
import { averageClassEmbeddings } from '../../model/eval/prompts.js';
import { zeroShot } from '../../model/eval/zeroshot.js';
import { FIXTURES, readFixture } from '../model/helpers.js';
import { tempStore } from './helpers.js';

const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'siglip-reference.json'), 'utf8')) as { fixed: { config: unknown }; naflex: { config: unknown } };

describe('HF checkpoint zero-shot parity', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`predicts the HF reference argmax and class ranking for every image (${backend})`, async () => {
      await selectBackend(backend);
      const files = {
        config: new TextEncoder().encode(JSON.stringify(meta.fixed.config)),
        weights: readFileSync(path.join(FIXTURES, 'siglip-fixed.safetensors')),
      };
      const model = evalModelFromFiles(files, 'fixture');
      const io = readFixture('siglip-fixed-io.safetensors');
      const images = io.get('images')!;
      const ids = io.get('input_ids')!;
      const logits = io.get('logits_per_image')!;
      const [n, size] = images.shape as [number, number];
      const nText = ids.shape[0]!;
      const before = tf.memory().numTensors;
      const z = model.fixedEmbeddings(images.data as Float32Array, n, size);
      const img = { rows: n, cols: model.config.embedDim, data: (await z.data()) as Float32Array };
      z.dispose();
      const txt = await model.embedTokenIds(ids.data as Int32Array, nText);
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      // Each text is a class with one prompt; the HF prediction is the argmax of its logits row.
      const classes = averageClassEmbeddings(txt, Array.from({ length: nText }, (_, c) => [c]));
      const hf = Array.from({ length: n }, (_, i) => {
        const row = logits.data.subarray(i * nText, (i + 1) * nText);
        return row.indexOf(Math.max(...row));
      });
      const r = await zeroShot(img, classes, hf, [1]);
      assert.equal(r.accuracy.top1, 1, `predictions ${[...r.predictions]} vs HF ${hf}`);
      // The random fixture model predicts one class for most images, so compare whole class rankings too.
      const sims = await similarity(img, classes);
      const order = (row: ArrayLike<number>) => Array.from(row, (v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]).map(([, c]) => c);
      for (let i = 0; i < n; i++) {
        assert.deepEqual(order(sims.data.subarray(i * nText, (i + 1) * nText)), order(logits.data.subarray(i * nText, (i + 1) * nText)), `image ${i} ranking`);
      }
      model.dispose();
    });
  }

  it('a NaFlex checkpoint embeds encoded images at the requested sequence length', async () => {
    await selectBackend('wasm');
    const model = evalModelFromFiles(
      { config: new TextEncoder().encode(JSON.stringify(meta.naflex.config)), weights: readFileSync(path.join(FIXTURES, 'siglip2-naflex.safetensors')) },
      'fixture',
    );
    assert.throws(() => evalModelFromFiles({ config: new TextEncoder().encode(JSON.stringify(meta.fixed.config)), weights: readFileSync(path.join(FIXTURES, 'siglip-fixed.safetensors')) }, 'f').defaultPrep(64), /NaFlex models only/);
    const prep = model.defaultPrep(16);
    assert.deepEqual(prep, { kind: 'naflex', patchSize: model.config.vision.patchSize, seqLen: 16 });
    const pngs = await Promise.all(
      [[40, 20], [20, 60]].map(([w, h]) => sharp({ create: { width: w!, height: h!, channels: 3, background: { r: 200, g: 10, b: 90 } } }).png().toBuffer()),
    );
    const before = tf.memory().numTensors;
    const z = await model.embedImages(pngs, prep);
    assert.equal(tf.memory().numTensors, before, 'no tensor leak');
    assert.equal(z.rows, 2);
    for (let i = 0; i < 2; i++) {
      const norm = Math.hypot(...z.data.subarray(i * z.cols, (i + 1) * z.cols));
      assert.ok(Math.abs(norm - 1) < 1e-4, `row ${i} norm ${norm}`);
    }
    model.dispose();
  });

  it('loads a model directory from storage and names what is missing', async () => {
    const tmp = tempStore();
    try {
      await assert.rejects(loadEvalModel(tmp.root), (e: unknown) => e instanceof EvalConfigError && /needs config.json and model.safetensors/.test(e.message));
      await tmp.store.put('config.json', new TextEncoder().encode(JSON.stringify(meta.fixed.config)));
      await tmp.store.put('model.safetensors', readFileSync(path.join(FIXTURES, 'siglip-fixed.safetensors')));
      const a = await loadEvalModel(tmp.root);
      const b = await loadEvalModel(`file://${tmp.root}/`);
      assert.equal(a.id, b.id, 'content identity does not depend on how the directory is named');
      assert.equal(a.config.vision.naflex, false);
      // A 128-entry vocabulary without vocab.json cannot take Gemma ids: texts fail with a clear error, ids still work.
      await assert.rejects(a.embedTexts(['a cat']), (e: unknown) => e instanceof EvalConfigError && /fewer than Gemma's 256000/.test(e.message));
      a.dispose();
      b.dispose();
      await assert.rejects(loadEvalModel('http://127.0.0.1:1/model'), /use a local path, file:\/\/ or s3:\/\/ URI/);
    } finally {
      tmp.cleanup();
    }
  });
});
