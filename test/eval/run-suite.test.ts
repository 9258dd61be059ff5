// The emoji benchmark dataset and all four suites end to end on a tiny model, and the embedding cache: a second
// evaluation of the same checkpoint runs no forward pass.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectBackend } from '../../model/backend.js';
import { emojiSuites } from '../../model/eval/emoji-suites.js';
import { readEvalIndex } from '../../model/eval/dataset.js';
import { runSuite } from '../../model/eval/run-suite.js';
import { buildEmojiBench } from '../../pipelines/eval/emoji-bench.js';
import { readShard, type ObjectStore } from '../../storage/index.js';
import { tempStore, tinyModel } from './helpers.js';

// wasm: the cpu backend is ~10× slower on these shapes (see bench/eval.ts).
await selectBackend('wasm');
const LANGS = ['en', 'de', 'ja'];

describe('emoji benchmark and suites', () => {
  let tmp: ReturnType<typeof tempStore>;
  let store: ObjectStore;
  let built: Awaited<ReturnType<typeof buildEmojiBench>>;
  before(async () => {
    tmp = tempStore();
    store = tmp.store;
    built = await buildEmojiBench(store, { languages: LANGS, maxClasses: 10, style: 'facebook' });
  });
  after(() => tmp.cleanup());

  it('builds one row per (emoji, language) with CLDR names, labels and bias attributes, idempotently', async () => {
    assert.equal(built.built, true);
    const again = await buildEmojiBench(store, { languages: LANGS, maxClasses: 10, style: 'facebook' });
    assert.equal(again.built, false);
    assert.equal(again.ref, built.ref);
    const index = await readEvalIndex(store, built.ref);
    const sel = built.selection;
    assert.ok(sel.occupations.size >= 10, `occupation pairs: ${sel.occupations.size}`);
    assert.equal(index.images.length, sel.entries.length);
    assert.equal(index.captions.length, sel.entries.length * LANGS.length);
    const rows = [];
    for await (const b of readShard(store, index.manifest.shards[0]!.key, { columns: ['caption', 'lang', 'attrs', 'url'] })) rows.push(...b);
    const doctor = rows.filter((r) => r.attrs?.includes('occupation:2695'));
    assert.deepEqual(new Set(doctor.map((r) => r.attrs!.find((a) => a.startsWith('gender:')))), new Set(['gender:man', 'gender:woman']));
    assert.ok(rows.some((r) => r.lang === 'de' && r.caption === 'Ärztin'), 'German CLDR name of 👩‍⚕️');
    assert.ok(rows.every((r) => r.url.startsWith('npm:emoji-datasource-facebook@')));
    assert.ok(index.images.some((im) => im.attrs.includes('people:none')));
    assert.deepEqual(sel.genderLabels.get('de'), ['Mann', 'Frau']);
  });

  it('runs all four suites per language and reuses cached embeddings on a second run', async () => {
    const suites = emojiSuites(built.ref, built.selection);
    const model = tinyModel(3);
    try {
      for (const suite of Object.values(suites)) {
        const first = await runSuite({ store, model, modelUri: 'test:tiny', suite, codeVersion: 'test' });
        assert.deepEqual(Object.keys(first.per_language).sort(), [...LANGS].sort(), suite.name);
        for (const m of Object.values(first.per_language)) {
          for (const [k, v] of Object.entries(m)) assert.ok(Number.isFinite(v) && v >= 0, `${suite.name} ${k}=${v}`);
        }
        assert.equal(first.dataset.ref, built.ref);
        assert.equal(first.preprocessing, 'fixed-32-bilinear-white');
        const batches = model.forwardBatches;
        const second = await runSuite({ store, model, modelUri: 'test:tiny', suite, codeVersion: 'test' });
        assert.equal(model.forwardBatches, batches, `${suite.name}: second run did a forward pass`);
        assert.deepEqual(second.cache, { images: 'hit', texts: 'hit' });
        assert.deepEqual(second.metrics, first.metrics);
      }
      const zs = await runSuite({ store, model, modelUri: 'test:tiny', suite: suites['emoji-zeroshot'], codeVersion: 'test' });
      assert.equal(zs.per_language.en!.n, built.selection.entries.length);
      assert.ok(zs.metrics.top5! >= zs.metrics.top1!);
      const ab = await runSuite({ store, model, modelUri: 'test:tiny', suite: suites['emoji-ab'], codeVersion: 'test' });
      assert.equal(ab.per_language.en!.n, 2 * built.selection.occupations.size);
    } finally {
      model.dispose();
    }
  });

  it('a new model misses the cache; image embeddings are shared across suites of the same data', async () => {
    const suites = emojiSuites(built.ref, built.selection);
    const model = tinyModel(4);
    try {
      const a = await runSuite({ store, model, modelUri: 'test:tiny4', suite: suites['emoji-zeroshot'], codeVersion: 'test' });
      assert.equal(a.cache.images, 'miss');
      const b = await runSuite({ store, model, modelUri: 'test:tiny4', suite: suites['emoji-retrieval'], codeVersion: 'test' });
      assert.deepEqual(b.cache, { images: 'hit', texts: 'miss' });
    } finally {
      model.dispose();
    }
  });
});
