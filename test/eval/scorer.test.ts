// The model_score filter's scorer (issue 15, point 1): a trained checkpoint scores true image-caption pairs above
// captions shuffled onto other images (AUC stated), the filter removes the shuffled ones in both DataComp modes,
// scores are cached per (model, rows) and rows without a usable image score NaN.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { parse as parseYaml } from 'yaml';
import { selectBackend } from '../../model/backend.js';
import { loadModelScorer } from '../../model/eval/scorer.js';
import { createFilters } from '../../pipelines/curate/filters/registry.js';
import { buildManifest, commitManifest, datasetKeys, openStore, readManifest, readShard, type ObjectStore, writeShard } from '../../storage/index.js';
import { curateInputFromFlags } from '../../workflows/cli/commands/curate.js';
import { type createCurateActivities } from '../../workflows/curate/activities.js';
import { activitiesFor } from '../../workflows/worker.js';
import { COLOURS, colourCaption, colourPng, trainColourModel } from '../helpers/colour-model.js';

/** Probability that a random true pair outscores a random shuffled pair (ties count half). */
function auc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

describe('model_score scorer', () => {
  let dir: string;
  let cache: ObjectStore;
  before(async () => {
    await selectBackend('wasm');
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-scorer-'));
    cache = openStore(pathToFileURL(path.join(dir, 'store')).href);
    const trained = await trainColourModel(path.join(dir, 'model'));
    assert.ok(trained.last < 0.5 * trained.first, `model trained: ${trained.first} → ${trained.last}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('true pairs outscore shuffled captions (AUC) and the filter removes the shuffled rows', async (t) => {
    const n = COLOURS.length;
    const images = await Promise.all(COLOURS.map((_, i) => colourPng(i)));
    // Each image twice: once with its caption, once with another colour's (a derangement).
    const rows = [
      ...images.map((image, i) => ({ image, caption: colourCaption(i), shuffled: false })),
      ...images.map((image, i) => ({ image, caption: colourCaption((i + 5) % n), shuffled: true })),
    ];
    const before = tf.memory().numTensors;
    const scorer = await loadModelScorer(path.join(dir, 'model'), { batchSize: 12, cache });
    try {
      const scores = await scorer.score(rows);
      const pos = rows.flatMap((r, i) => (r.shuffled ? [] : [scores[i]!]));
      const neg = rows.flatMap((r, i) => (r.shuffled ? [scores[i]!] : []));
      const a = auc(pos, neg);
      t.diagnostic(`AUC true vs shuffled captions: ${a.toFixed(3)} (${pos.length} true, ${neg.length} shuffled; mean ${(pos.reduce((x, y) => x + y) / n).toFixed(3)} vs ${(neg.reduce((x, y) => x + y) / n).toFixed(3)})`);
      assert.ok(a >= 0.9, `AUC ${a}`);

      // Keep-top-fraction (global) and an absolute threshold: each removes the shuffled rows.
      const columns = { score: scores };
      for (const params of [{ top_fraction: 0.5 }, { threshold: 0.5 }]) {
        const [f] = createFilters([{ name: 'model_score', params }], { scorer: scorer.score });
        f!.globalThreshold?.(scores);
        const removed = rows.map((r, i) => ({ r, why: f!.test(columns as never, i) })).filter((x) => x.why !== null);
        const removedShuffled = removed.filter((x) => x.r.shuffled).length;
        t.diagnostic(`${JSON.stringify(params)}: removed ${removed.length} rows, ${removedShuffled} of ${n} shuffled`);
        assert.ok(removedShuffled >= 0.8 * n && removed.length - removedShuffled <= 0.2 * n, `${JSON.stringify(params)}: ${removedShuffled} shuffled, ${removed.length - removedShuffled} true removed`);
      }

      // Cached per (model, rows): a second call runs no forward pass and returns the same scores.
      const misses = scorer.misses();
      assert.deepEqual(await scorer.score(rows), scores);
      assert.equal(scorer.misses(), misses);
      assert.ok(misses >= 3, `${misses} batches of 12`);

      // No image, or bytes that do not decode: NaN, which the filter drops as unscored.
      const odd = await scorer.score([{ image: null, caption: 'a red square' }, { image: new Uint8Array([1, 2, 3]), caption: 'a red square' }, rows[0]!]);
      assert.ok(Number.isNaN(odd[0]!) && Number.isNaN(odd[1]!) && Math.abs(odd[2]! - scores[0]!) < 1e-5, `${[...odd]}`);
      const [f] = createFilters([{ name: 'model_score', params: { threshold: 0 } }], { scorer: scorer.score });
      assert.equal(f!.test({ score: odd } as never, 0), 'model_score:unscored');
    } finally {
      scorer.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor leak');
  });

  it('wired in the etl worker: curation with model_score drops the shuffled rows of a real dataset', async () => {
    const store = openStore(pathToFileURL(path.join(dir, 'curate')).href);
    const n = COLOURS.length;
    const images = await Promise.all(COLOURS.map((_, i) => colourPng(i)));
    const rows = Array.from({ length: 2 * n }, (_, i) => {
      const c = i % n;
      const shuffled = i >= n;
      return {
        id: `${shuffled ? 'shuffled' : 'true'}-${c}`,
        source: 'colours',
        url: `colours/${i}.png`,
        caption: colourCaption(shuffled ? (c + 5) % n : c),
        alt_captions: [],
        lang: 'en',
        lang_score: 1,
        image: images[c]!,
        mime: 'image/png',
        width: 40,
        height: 40,
        orig_width: 40,
        orig_height: 40,
        sha256: createHash('sha256').update(`${i}`).digest('hex'),
        phash: BigInt(i),
        status: 'ok' as const,
        error: null,
        fetched_at: 0,
        boxes: null,
        attrs: null,
        weight: null,
      };
    });
    const info = await writeShard(store, datasetKeys('colours', 'v1').shard(0), rows);
    await commitManifest(store, buildManifest(store, { name: 'colours', version: 'v1', kind: 'raw', shards: [info], lineage: { inputs: [], config: {}, config_hash: 'test', code_version: 'test' } }));
    const scorer = await loadModelScorer(path.join(dir, 'model'), { cache: store });
    try {
      const acts = activitiesFor('etl', { store, scorer: scorer.score }) as unknown as ReturnType<typeof createCurateActivities>;
      const config = { filters: [{ name: 'model_score', top_fraction: 0.5 }], m4: { enabled: false }, language_mix: { mode: 'off' }, dedup: { exact: false, near: false } };
      const plan = await acts.prepareCuration({ input: 'colours@v1', config, name: 'colours-scored', incremental: false });
      await acts.scoreShard({ plan, shard: 0 });
      const global = await acts.globalStep(plan);
      assert.equal(global.rowsOut, n);
      assert.equal(global.dropped['model_score:low'], n);
      const written = await acts.materializeShard({ plan, shard: 0 });
      assert.ok(written);
      await acts.commitCuration({ plan, global });
      const kept: string[] = [];
      const m = await readManifest(store, 'colours-scored', plan.version);
      for (const sh of m.shards) for await (const batch of readShard(store, sh.key, { columns: ['id'] })) for (const r of batch) kept.push(String(r.id));
      assert.deepEqual(kept.filter((id) => id.startsWith('shuffled')), [], `kept ${kept.join(', ')}`);
      assert.equal(kept.length, n);
      // Without worker.scorer the etl worker refuses the filter before any work.
      const bare = activitiesFor('etl', { store }) as unknown as ReturnType<typeof createCurateActivities>;
      await assert.rejects(bare.prepareCuration({ input: 'colours@v1', config, name: 'colours-2' }), /no image-text scorer/);
      // The shipped example config validates, with the filter in DataComp's keep-top-fraction mode.
      const example = curateInputFromFlags({ input: 'web@latest', name: 'web-scored' }, parseYaml(readFileSync('examples/curate-model-score.yaml', 'utf8')) as object);
      assert.ok(JSON.stringify(example).includes('"top_fraction":0.3'));
    } finally {
      scorer.dispose();
    }
  });
});
