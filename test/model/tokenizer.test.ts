// Tokenizer invariants (recipe §9.8) and the compacted vocabulary round trip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../model/backend.js';
import { modelConfig } from '../../model/config.js';
import { CompactVocab, GEMMA, loadGemmaTokenizer, siglipTokenBatch, siglipTokens } from '../../model/tokenizer.js';
import { createTrainModel, disposeTrainModel, trainStep } from '../../model/train-step.js';

describe('SigLIP 2 tokenizer', () => {
  it('lower-cases, appends EOS, pads with 0 to 64', async () => {
    const tok = await loadGemmaTokenizer();
    const a = siglipTokens(tok, 'A Photo of a CAT');
    const b = siglipTokens(tok, 'a photo of a cat');
    assert.deepEqual(a, b);
    assert.equal(a.length, 64);
    const n = tok.encode('a photo of a cat').length;
    assert.ok(n > 0 && n < 63);
    assert.equal(a[n], GEMMA.eos);
    assert.ok(a.subarray(n + 1).every((x) => x === GEMMA.pad));
    assert.ok(a.subarray(0, n).every((x) => x !== GEMMA.bos && x !== GEMMA.eos && x !== GEMMA.pad));
  });

  it('long texts are truncated to 63 tokens and end with EOS at index 63', async () => {
    const tok = await loadGemmaTokenizer();
    const ids = siglipTokens(tok, 'word '.repeat(200));
    assert.equal(ids.length, 64);
    assert.equal(ids[63], GEMMA.eos);
    assert.ok(ids.subarray(0, 63).every((x) => x !== GEMMA.eos && x !== GEMMA.pad));
  });

  it('multilingual text and batches', async () => {
    const tok = await loadGemmaTokenizer();
    const batch = siglipTokenBatch(tok, ['Un chat', '猫の写真', 'КОШКА'], 16);
    assert.equal(batch.length, 48);
    assert.deepEqual(batch.subarray(32, 48), siglipTokens(tok, 'кошка', 16));
    for (const x of batch) assert.ok(x >= 0 && x < GEMMA.vocabSize);
  });

  it('compact vocabulary maps known ids reversibly, unknown ids to UNK, and survives JSON', async () => {
    const tok = await loadGemmaTokenizer();
    const seqs = ['a red circle', 'a blue square', 'a red square'].map((t) => siglipTokens(tok, t, 16));
    const vocab = CompactVocab.fromSequences(seqs);
    assert.deepEqual(vocab.gemmaIds.slice(0, 3), [GEMMA.pad, GEMMA.eos, GEMMA.unk]);
    for (const s of seqs) assert.deepEqual(vocab.toGemma(vocab.toCompact(s)), s);
    const unseen = siglipTokens(tok, 'zebra', 16);
    const c = vocab.toCompact(unseen);
    assert.ok(c.includes(CompactVocab.UNK));
    assert.equal(c[c.indexOf(CompactVocab.EOS)], CompactVocab.EOS);
    const back = CompactVocab.fromJSON(JSON.parse(JSON.stringify(vocab.toJSON())));
    assert.deepEqual(back.gemmaIds, vocab.gemmaIds);
    assert.throws(() => CompactVocab.fromJSON({ kind: 'compact-vocab', version: 1, gemmaIds: [0, 1] }), /compact vocabulary/);
    assert.throws(() => vocab.toGemma([vocab.size]), /out of range/);
  });

  it('real captions → Gemma ids → compact vocabulary → a tiny model trains on them', async () => {
    await selectBackend('wasm');
    const tok = await loadGemmaTokenizer();
    const captions = ['a red circle', 'un carré bleu', '緑の三角形', 'EIN GELBER STERN'];
    const len = modelConfig('tiny').text.maxLength;
    const gemmaIds = siglipTokenBatch(tok, captions, len);
    const vocab = CompactVocab.fromSequences([gemmaIds]);
    const c = modelConfig('tiny', { vocabSize: vocab.size });
    const model = createTrainModel(c, { seed: 1, optimizer: { lr: 3e-3 } });
    const ids = tf.tensor2d(vocab.toCompact(gemmaIds), [captions.length, len], 'int32');
    const images = { kind: 'fixed' as const, images: tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D };
    const first = trainStep(model, { images, ids });
    const second = trainStep(model, { images, ids });
    assert.ok(second.sigmoid < first.sigmoid, `${first.sigmoid} → ${second.sigmoid}`);
    assert.deepEqual(vocab.toGemma(vocab.toCompact(gemmaIds)), gemmaIds);
    disposeTrainModel(model);
    tf.dispose([ids, images.images]);
  });
});
