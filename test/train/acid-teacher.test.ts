// ACID with a reference model (issue 15, point 2): the teacher is a separate checkpoint read with its own tokenizer
// (texts, not the student's ids); a teacher that is the run itself is refused; and selection follows the teacher —
// with planted mismatched pairs, the selected half of each super-batch holds far fewer of them than a random half.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { CompactVocab, loadGemmaTokenizer, siglipTokens } from '../../model/tokenizer.js';
import { createTrainModel, disposeTrainModel } from '../../model/train-step.js';
import { modelConfig } from '../../model/config.js';
import { openStore, type ObjectStore } from '../../storage/index.js';
import { COLOURS, colourCaption, colourPixels, trainColourModel } from '../helpers/colour-model.js';
import { tinyRun } from '../../workflows/dev/tiny-run.js';

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
    // A reference model trained on clean pairs (solid-colour squares named by their colour), in HF layout with its
    // own compact vocabulary.
    const teacherDir = path.join(dir, 'reference-hf');
    const trained = await trainColourModel(teacherDir);
    t.diagnostic(`teacher sigmoid loss ${trained.first.toFixed(2)} → ${trained.last.toFixed(2)} (40 steps on the clean pairs)`);
    const n = COLOURS.length;
    const size = 32;
    const pixels = colourPixels(size);
    const captions = COLOURS.map((_, i) => colourCaption(i));
    const gemma = await loadGemmaTokenizer();

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
        const scores = learnability(await rowSigmoidLoss(student.params.get, student.config, input, ids), await teacher.rowLoss(input, shown));
        tf.dispose([ids, input.images]);
        const selected = selectLearnable(scores, n / 2);
        selectedRows += selected.length;
        selectedBad += selected.filter((r) => bad.has(r)).length;
        randomBad += shuffled(n, 900 + k).slice(0, n / 2).filter((r) => bad.has(r)).length;
      }
      // The student's pixels at another side are resized to the teacher's; NaFlex patches a fixed teacher cannot read
      // are refused by name.
      const big = { kind: 'fixed' as const, images: tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(pixels, [n, size, size, 3]), [48, 48])) };
      const atBig = await teacher.rowLoss(big, captions);
      big.images.dispose();
      assert.ok(atBig.every((v) => Number.isFinite(v)), `${[...atBig]}`);
      const naflex = { kind: 'naflex' as const, patches: tf.zeros([1, 4, 192]) as tf.Tensor3D, mask: tf.ones([1, 4]) as tf.Tensor2D, spatialShapes: [[2, 2] as const] };
      await assert.rejects(teacher.rowLoss(naflex, ['a red square']), /takes fixed 32px images, not this stage's NaFlex patches/);
      tf.dispose([naflex.patches, naflex.mask]);
    } finally {
      teacher.dispose();
      disposeTrainModel(student);
    }
    t.diagnostic(`mismatched pairs in the selected halves: ${selectedBad} of ${selectedRows} rows; in random halves: ${randomBad} (expected ${selectedRows / 2}); planted ${planted}`);
    assert.equal(tf.memory().numTensors, before, 'no tensor leak');
    assert.ok(trained.last < 0.5 * trained.first, `teacher trained: ${trained.first} → ${trained.last}`);
    assert.ok(selectedBad <= 0.5 * randomBad, `selected ${selectedBad} vs random ${randomBad}`);
  });
});
