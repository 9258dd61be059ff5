// ACID with a reference model (issue 15, point 2): the teacher is a separate checkpoint read with its own tokenizer
// (texts, not the student's ids); a teacher that is the run itself is refused; and selection follows the teacher —
// with planted mismatched pairs, the selected half of each super-batch holds far fewer of them than a random half.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { parse as parseYaml } from 'yaml';
import { selectBackend } from '../../model/backend.js';
import { assertSeparateTeacher, loadReferenceTeacher, resolveTeacherRef } from '../../model/run/acid-teacher.js';
import { learnability, rowSigmoidLoss, selectLearnable } from '../../model/run/acid.js';
import { TrainConfigError } from '../../model/run/errors.js';
import { parseRunConfig } from '../../model/run/run-config.js';
import { textPipe } from '../../model/run/text.js';
import { saveHfCheckpoint } from '../../model/hf-checkpoint.js';
import { CompactVocab, loadGemmaTokenizer, siglipTokenBatch, siglipTokens } from '../../model/tokenizer.js';
import { createTrainModel, disposeTrainModel, trainStep } from '../../model/train-step.js';
import { modelConfig } from '../../model/config.js';
import { openStore, type ObjectStore } from '../../storage/index.js';
import { tinyRun } from './run-helpers.js';

/** Deterministic permutation of 0..n−1 from a seed (mulberry32). */
function shuffled(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('ACID reference teacher', () => {
  let dir: string;
  let store: ObjectStore;
  before(async () => {
    await selectBackend('wasm');
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-acid-'));
    store = openStore(pathToFileURL(dir).href);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a teacher that is the student is refused with a clear error', () => {
    assert.throws(() => tinyRun({ acid: { examples: 16, teacher: 'base' } }), (e: unknown) => e instanceof TrainConfigError && /acid\.teacher: "base" is this run's own checkpoint/.test(e.message));
    const run = `${pathToFileURL(dir).href}/runs/student`;
    assert.throws(() => assertSeparateTeacher(`${run}/stages/base/checkpoints/step-0000020`, run), /lies inside this run/);
    assert.throws(() => assertSeparateTeacher(path.join(dir, 'runs/student/stages/base/checkpoints/step-0000020'), run), /lies inside this run/);
    assertSeparateTeacher(`${pathToFileURL(dir).href}/runs/reference/stages/base/checkpoints/step-0000020`, run);
    // Like --out, a relative reference is a key prefix under the storage root.
    const root = pathToFileURL(dir).href;
    assert.equal(resolveTeacherRef('runs/reference/stages/base/checkpoints/step-0000020', root), `${root}/runs/reference/stages/base/checkpoints/step-0000020`);
    assert.equal(resolveTeacherRef('s3://b/p/ref/', root), 's3://b/p/ref');
    assert.equal(resolveTeacherRef('/data/siglip2-base', root), pathToFileURL('/data/siglip2-base').href);
    // The shipped example's ACID stage uses another run as its reference.
    const example = parseRunConfig(parseYaml(readFileSync('examples/train-tiny.yaml', 'utf8')));
    assertSeparateTeacher(resolveTeacherRef(example.acid!.teacher, root), `${root}/runs/tiny`);
    assert.throws(() => assertSeparateTeacher(resolveTeacherRef('runs/student/stages/base/checkpoints/step-0000020', root), run), /lies inside this run/);
  });

  it('selection follows the teacher: planted mismatched pairs are mostly dropped', async (t) => {
    // Solid-colour images named by their colour: a tiny model learns them in a few dozen steps on 2 cores.
    const colours: Array<[string, number, number, number]> = [
      ['red', 230, 25, 25], ['green', 20, 160, 40], ['blue', 30, 60, 220], ['yellow', 240, 230, 40], ['purple', 130, 40, 170], ['orange', 250, 140, 20],
      ['pink', 250, 160, 200], ['brown', 120, 70, 30], ['black', 10, 10, 10], ['white', 245, 245, 245], ['gray', 128, 128, 128], ['cyan', 40, 220, 230],
      ['magenta', 230, 40, 200], ['lime', 170, 240, 60], ['navy', 20, 25, 100], ['olive', 110, 110, 30],
    ];
    const n = colours.length;
    const size = 32;
    const pixels = new Float32Array(n * size * size * 3);
    colours.forEach(([, r, g, b], i) => {
      for (let k = 0; k < size * size; k++) [r, g, b].forEach((v, c) => (pixels[(i * size * size + k) * 3 + c] = v / 127.5 - 1 + 0.02 * Math.sin(k * (c + 1))));
    });
    const captions = colours.map(([name]) => `a ${name} square`);
    const gemma = await loadGemmaTokenizer();
    // A reference model trained on the clean pairs, saved as an HF-layout directory with its own compact vocabulary.
    const teacherConfig = modelConfig('tiny', { vocabSize: 256 });
    const vocab = CompactVocab.fromSequences(captions.map((c) => siglipTokens(gemma, c, teacherConfig.text.maxLength)), teacherConfig.text.vocabSize);
    const trained = createTrainModel(teacherConfig, { seed: 4, optimizer: { lr: 3e-3, warmupSteps: 0, weightDecay: 0 } });
    const losses: number[] = [];
    tf.tidy(() => {
      const images = { kind: 'fixed' as const, images: tf.tensor4d(pixels, [n, size, size, 3]) };
      const ids = tf.tensor2d(vocab.toCompact(siglipTokenBatch(gemma, captions, 16)), [n, 16], 'int32');
      for (let i = 0; i < 40; i++) losses.push(trainStep(trained, { images, ids }).sigmoid);
    });
    const teacherDir = path.join(dir, 'reference-hf');
    await saveHfCheckpoint(teacherDir, teacherConfig, trained.params);
    writeFileSync(path.join(teacherDir, 'vocab.json'), JSON.stringify(vocab.toJSON()));
    disposeTrainModel(trained);
    t.diagnostic(`teacher sigmoid loss ${losses[0]!.toFixed(2)} → ${losses.at(-1)!.toFixed(2)} (40 steps on the clean pairs)`);

    // The student has another vocabulary size (512): its ids would mean nothing to the teacher.
    const studentConfig = modelConfig('tiny', { vocabSize: 512 });
    const run = { store, prefix: 'runs/student' };
    const studentVocab = CompactVocab.fromSequences(['a', 'square', ...captions].map((c) => siglipTokens(gemma, `${c} `, 16)), studentConfig.text.vocabSize);
    const text = textPipe(gemma, studentVocab, studentConfig.text.maxLength);
    const before = tf.memory().numTensors;
    const teacher = await loadReferenceTeacher(teacherDir, store.uri(run.prefix));
    const student = createTrainModel(studentConfig, { seed: 11 });
    let selectedBad = 0;
    let randomBad = 0;
    let planted = 0;
    let selectedRows = 0;
    try {
      for (let k = 0; k < 8; k++) {
        // Plant: half the rows get another planted row's caption (a derangement by rotation).
        const badRows = shuffled(n, 100 + k).slice(0, n / 2);
        const bad = new Set(badRows);
        const shown = [...captions];
        badRows.forEach((r, i) => (shown[r] = captions[badRows[(i + 1) % badRows.length]!]!));
        planted += bad.size;
        const input = { kind: 'fixed' as const, images: tf.tensor4d(pixels, [n, size, size, 3]) };
        const ids = tf.tensor2d(text.tokenize(shown), [n, text.length], 'int32');
        const scores = learnability(rowSigmoidLoss(student.params.get, student.config, input, ids), await teacher.rowLoss(input, shown));
        tf.dispose([ids, input.images]);
        const selected = selectLearnable(scores, n / 2);
        selectedRows += selected.length;
        selectedBad += selected.filter((r) => bad.has(r)).length;
        randomBad += shuffled(n, 900 + k).slice(0, n / 2).filter((r) => bad.has(r)).length;
      }
    } finally {
      teacher.dispose();
      disposeTrainModel(student);
    }
    t.diagnostic(`mismatched pairs in the selected halves: ${selectedBad} of ${selectedRows} rows; in random halves: ${randomBad} (expected ${selectedRows / 2}); planted ${planted}`);
    assert.equal(tf.memory().numTensors, before, 'no tensor leak');
    assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `teacher trained: ${losses[0]} → ${losses.at(-1)}`);
    assert.ok(selectedBad <= 0.5 * randomBad, `selected ${selectedBad} vs random ${randomBad}`);
  });
});
