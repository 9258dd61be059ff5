// The curriculum on a tiny model and the emoji corpus: the loss goes down, distillation switches on at 80% with the
// teacher equal to the student, branches resize positions or switch to NaFlex, ACID keeps its fraction, and a run
// stopped at a checkpoint and resumed ends with the same weights as an uninterrupted one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { selectLearnable, superBatchSize } from '../../model/run/acid.js';
import { checkpointKey, listCheckpoints, readCheckpointFile, readCheckpointMeta } from '../../model/run/checkpoint.js';
import { readMetrics } from '../../model/run/metrics.js';
import { type ObjectStore, openStore } from '../../storage/index.js';
import { writeEmojiDataset } from '../../workflows/dev/emoji-dataset.js';
import { type TestRun, testRun, tinyRun } from '../../workflows/dev/tiny-run.js';

describe('training stages', () => {
  let dir: string;
  let store: ObjectStore;
  let shards: string[];
  let full: TestRun | undefined;
  before(async () => {
    await selectBackend('wasm');
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-train-'));
    store = openStore(pathToFileURL(dir).href);
    shards = (await writeEmojiDataset(store, { rows: 90, shards: 3, rowGroupRows: 8 })).shardKeys;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the base stage: loss falls, distillation switches on at 80% with teacher = student, checkpoints pruned', async () => {
    // ACID's reference is another run's checkpoint (runs/whole, trained by a later test), never this run.
    const teacher = store.uri(checkpointKey({ store, prefix: 'runs/whole' }, 'base', 12));
    const cfg = tinyRun({ checkpointEvery: 1, keepLast: 30, resolutions: [{ size: 48, from: 0.95 }], naflex: { from: 0.9, stretch: 1.5, seqLens: [4, 16] }, acid: { examples: 16, filter: 0.5, teacher } });
    const t = await testRun(store, shards, cfg, 'runs/full');
    full = t;
    const tensors = tf.memory().numTensors;
    const base = await t.stage('base');
    assert.equal(tf.memory().numTensors - tensors, 0, 'no tensor leak across a stage');
    assert.ok(base.finished && base.step === 20);
    const m = await readMetrics(store, 'runs/full', 'base');
    assert.deepEqual(m.map((r) => r.step), Array.from({ length: 20 }, (_, i) => i + 1));
    const at = t.stages[0]!.distillAt!;
    assert.equal(at, 16);
    for (const r of m) assert.equal(r.l2g > 0, r.step > at, `step ${r.step}: l2g ${r.l2g}`);
    const first = m.slice(0, 3).reduce((s, r) => s + r.sigmoid, 0) / 3;
    const last = m.slice(-3).reduce((s, r) => s + r.sigmoid, 0) / 3;
    assert.ok(last < 0.7 * first, `sigmoid loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
    // Teacher at step 17 = m·student(16) + (1 − m)·student(17): it started as a copy of the student.
    const name = 'vision_model.encoder.layers.0.mlp.fc1.weight';
    const read = async (step: number, file: string) => {
      const d = checkpointKey(t.run, 'base', step);
      return (await readCheckpointFile(store, d, await readCheckpointMeta(store, d), file)).get(name)!.data;
    };
    const [s16, s17, t17] = [await read(16, 'model.safetensors'), await read(17, 'model.safetensors'), await read(17, 'teacher.safetensors')];
    let err = 0;
    for (let i = 0; i < s16.length; i++) err = Math.max(err, Math.abs(t17[i]! - (0.9 * s16[i]! + 0.1 * s17[i]!)));
    assert.ok(err < 1e-6, `teacher EMA error ${err}`);

    const res = await t.stage('res-48');
    assert.ok(res.finished && res.step === 20);
    const rm = await readCheckpointMeta(store, checkpointKey(t.run, 'res-48', 20));
    assert.equal(rm.model.vision.imageSize, 48);
    const pos = (await readCheckpointFile(store, checkpointKey(t.run, 'res-48', 20), rm, 'model.safetensors')).get('vision_model.embeddings.position_embedding.weight')!;
    assert.deepEqual(pos.shape, [36, 64]);
    assert.ok(rm.distill, 'all losses stay on in the continuation');

    const nf = await t.stage('naflex');
    assert.equal(nf.step, 18 + 3);
    const nm = await readMetrics(store, 'runs/full', 'naflex');
    assert.deepEqual(nm.map((r) => r.step), [19, 20, 21]);
    assert.ok(nm.every((r) => r.l2g === 0 && r.locca > 0));
  });

  it('ACID keeps the best (1 − f) of each super-batch', () => {
    assert.equal(superBatchSize(8, 0.5), 16);
    assert.equal(superBatchSize(32, 0.75), 128);
    const scores = Float32Array.from([0.1, 3, -1, 2, 2, 0.5, 7, 0]);
    assert.deepEqual(selectLearnable(scores, 4), [1, 3, 4, 6]);
  });

  it('stopped at a checkpoint and resumed, ends with the weights of an uninterrupted run', async () => {
    const cfg = tinyRun({ examples: 96, distill: { at: 0.5, momentum: 0.9, locals: 2, localSize: 16 }, checkpointEvery: 4 });
    const whole = await testRun(store, shards, cfg, 'runs/whole');
    await whole.stage('base');
    const parts = await testRun(store, shards, cfg, 'runs/parts');
    let n = 0;
    const stopped = await parts.stage('base', { shouldStop: () => ++n === 7 });
    assert.equal(stopped.finished, false);
    assert.equal(stopped.step, 7);
    assert.deepEqual(await listCheckpoints(parts.run, 'base'), [4, 7]);
    const done = await parts.stage('base');
    assert.ok(done.finished && done.trainedSteps === 5);
    const a = await readCheckpointFile(store, checkpointKey(whole.run, 'base', 12), await readCheckpointMeta(store, checkpointKey(whole.run, 'base', 12)), 'model.safetensors');
    const b = await readCheckpointFile(store, checkpointKey(parts.run, 'base', 12), await readCheckpointMeta(store, checkpointKey(parts.run, 'base', 12)), 'model.safetensors');
    let maxDiff = 0;
    for (const [k, x] of a) {
      const y = b.get(k)!.data;
      for (let i = 0; i < x.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x.data[i]! - y[i]!));
    }
    assert.ok(maxDiff < 1e-6, `max weight difference ${maxDiff}`);
    const mw = await readMetrics(store, 'runs/whole', 'base');
    const mp = await readMetrics(store, 'runs/parts', 'base');
    assert.deepEqual(mp.map((r) => r.step), mw.map((r) => r.step));
    assert.deepEqual(mp.map((r) => r.loss), mw.map((r) => r.loss));
  });
  it('gradient accumulation (microBatch 4 of batch 8, stopped and resumed) trains the weights of whole batches', async () => {
    const cfg = tinyRun({ examples: 96, distill: { at: 0.5, momentum: 0.9, locals: 2, localSize: 16 }, checkpointEvery: 4 });
    const whole = await testRun(store, shards, cfg, 'runs/whole');
    await whole.stage('base'); // idempotent: already trained by the test above when run in order
    const acc = await testRun(store, shards, { ...cfg, microBatch: 4 }, 'runs/accum');
    let n = 0;
    const stopped = await acc.stage('base', { shouldStop: () => ++n === 5 });
    assert.equal(stopped.step, 5);
    const done = await acc.stage('base');
    assert.ok(done.finished && done.step === 12);
    const mw = await readMetrics(store, 'runs/whole', 'base');
    const ma = await readMetrics(store, 'runs/accum', 'base');
    assert.deepEqual(ma.map((r) => r.step), mw.map((r) => r.step));
    for (const [i, r] of ma.entries()) {
      const w = mw[i]!;
      for (const k of ['loss', 'sigmoid', 'locca', 'l2g', 'mask'] as const) {
        assert.ok(Math.abs(r[k] - w[k]) <= 2e-3 * Math.max(1, Math.abs(w[k])), `step ${r.step} ${k}: accumulated ${r[k]} vs whole ${w[k]}`);
      }
    }
    const read = async (t: typeof whole) => readCheckpointFile(store, checkpointKey(t.run, 'base', 12), await readCheckpointMeta(store, checkpointKey(t.run, 'base', 12)), 'model.safetensors');
    const a = await read(whole);
    const b = await read(acc);
    let maxDiff = 0;
    for (const [k, x] of a) {
      const y = b.get(k)!.data;
      for (let i = 0; i < x.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x.data[i]! - y[i]!));
    }
    // lr 3e-3 for 12 Adam steps moves weights by up to ~3.6e-2; float rounding in the split passes stays far below.
    assert.ok(maxDiff < 1e-3, `max weight difference ${maxDiff}`);
  });

  it('the ACID stage selects with a separate reference checkpoint (another run) and trains sigmoid only', async () => {
    assert.ok(full, 'the full-curriculum test ran first');
    const whole = await testRun(store, shards, tinyRun({ examples: 96, distill: { at: 0.5, momentum: 0.9, locals: 2, localSize: 16 }, checkpointEvery: 4 }), 'runs/whole');
    await whole.stage('base'); // idempotent: trained by the tests above when run in order
    const acid = await full.stage('acid');
    assert.equal(acid.step, 22);
    const am = await readMetrics(store, 'runs/full', 'acid');
    assert.ok(am.every((r) => r.locca === 0 && r.l2g === 0 && r.sigmoid > 0));
    assert.ok(Math.abs(am[0]!.lr - 1e-5) < 1e-12, `ACID lr ${am[0]!.lr}`);
  });
});
