// The curate CLI's config handling, and a crash before commit leaving no curated version (activities called
// directly, without a worker, over real local storage).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildManifest,
  commitManifest,
  datasetKeys,
  listDatasets,
  NotFoundError,
  openStore,
  readManifest,
  writeShard,
} from '../../../storage/index.js';
import { CurateConfigError } from '../../../pipelines/curate/errors.js';
import { curateInputFromFlags, splitCurateConfigFile } from '../../../workflows/cli/commands/curate.js';
import { createCurateActivities } from '../../../workflows/curate/activities.js';

describe('sigforge curate flags', () => {
  it('validates the curation config before starting, naming the field', () => {
    assert.throws(
      () => curateInputFromFlags({ input: 'raw@v1', name: 'out' }, { m4: { eta: 0 } }),
      (e: unknown) => e instanceof CurateConfigError && e.field === 'm4.eta',
    );
    assert.throws(
      () => curateInputFromFlags({ input: 'raw@v1', name: 'out' }, { filters: [{ name: 'sharpness' }] }),
      /unknown filter "sharpness"; valid filters: basic, blocklist, hygiene, image_size, model_score/,
    );
    const input = curateInputFromFlags({ input: 'raw@v1', name: 'out', incremental: true, evalSets: ['coco@v1'] }, {});
    assert.equal(input.incremental, true);
    assert.deepEqual(input.evalSets, ['coco@v1']);
  });

  it('reads a curation config alone or under `curate:` beside sigforge settings', () => {
    assert.deepEqual(splitCurateConfigFile({ m4: { eta: 0.8 } }), { curate: { m4: { eta: 0.8 } }, runtime: {} });
    assert.deepEqual(splitCurateConfigFile({ curate: { seed: 1 }, storage: { root: 'file:///x' } }), {
      curate: { seed: 1 },
      runtime: { storage: { root: 'file:///x' } },
    });
  });
});

describe('curate activities called directly', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigforge-curate-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no curated version until the manifest is committed', async () => {
    const store = openStore(`file://${dir}/store`);
    const rows = Array.from({ length: 20 }, (_, i) => ({
      id: `r${i}`,
      source: 's',
      url: `http://127.0.0.1/${i}`,
      caption: `a photo of a red car number ${i}`,
      alt_captions: [],
      lang: 'en',
      lang_score: 0.99,
      image: Uint8Array.from([i]),
      mime: 'image/jpeg',
      width: 300,
      height: 300,
      orig_width: 300,
      orig_height: 300,
      sha256: String(i).padStart(64, '0'),
      phash: BigInt(i) * 0x0123456789abn,
      status: 'ok' as const,
      error: null,
      fetched_at: 0,
      boxes: null,
      attrs: null,
      weight: null,
    }));
    const info = await writeShard(store, datasetKeys('raw', 'v1').shard(0), rows);
    await commitManifest(
      store,
      buildManifest(store, {
        name: 'raw',
        version: 'v1',
        kind: 'raw',
        shards: [info],
        lineage: { inputs: [], config: {}, config_hash: 'x', code_version: 'x' },
      }),
    );
    const acts = createCurateActivities({ store });
    const plan = await acts.prepareCuration({
      input: 'raw@latest',
      config: { m4: { enabled: false }, language_mix: { mode: 'off' } },
      name: 'cur',
    });
    await acts.scoreShard({ plan, shard: 0 });
    const global = await acts.globalStep(plan);
    const written = await acts.materializeShard({ plan, shard: 0 });
    assert.equal(written.info?.rows, 20);
    // The worker dies here, before commitCuration: the version does not exist.
    await assert.rejects(readManifest(store, 'cur', plan.version), NotFoundError);
    assert.ok(!(await listDatasets(store)).some((d) => d.name === 'cur'));
    // A retry finishes it; materialization is reused, not redone.
    const again = await acts.materializeShard({ plan, shard: 0 });
    assert.deepEqual(again, written);
    const res = await acts.commitCuration({ plan, global });
    assert.equal(res.rowsOut, 20);
    assert.equal((await readManifest(store, 'cur', plan.version)).kind, 'curated');
  });

  it('plugs an image-text scorer in as the model_score filter (scores cached per shard, global top fraction)', async () => {
    const store = openStore(`file://${dir}/store`);
    // A stand-in for a checkpoint's similarity: the first image byte (0..19 here); real scorers come from model/.
    const seen: number[] = [];
    const scorer = async (rows: readonly { image: Uint8Array | null; caption: string }[]): Promise<Float32Array> => {
      seen.push(rows.length);
      return Float32Array.from(rows, (r) => (r.image ? r.image[0]! : Number.NaN));
    };
    const acts = createCurateActivities({ store, scorer });
    const config = {
      filters: [{ name: 'model_score', top_fraction: 0.25 }],
      m4: { enabled: false },
      language_mix: { mode: 'off' },
    };
    const plan = await acts.prepareCuration({ input: 'raw@v1', config, name: 'scored', incremental: false });
    await acts.scoreShard({ plan, shard: 0 });
    assert.deepEqual(seen, [20]);
    const global = await acts.globalStep(plan);
    assert.equal(global.rowsOut, 5);
    assert.equal(global.dropped['model_score:low'], 15);
    await assert.rejects(
      createCurateActivities({ store }).prepareCuration({ input: 'raw@v1', config, name: 'scored2' }),
      /no image-text scorer/,
    );
  });
});
