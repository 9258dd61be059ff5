// Streaming loader: exact mid-epoch resume (same ids, same pixels), weights, caption sampling, NaFlex budgets,
// and views — on local disk, and the same stream over ranged reads from a real MinIO.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseLoaderConfig, type LoaderConfigInput } from '../../pipelines/loader/config.js';
import { type LoaderBatch, StreamingLoader } from '../../pipelines/loader/loader.js';
import { naflexSize } from '../../pipelines/loader/naflex.js';
import { parsePosition } from '../../pipelines/loader/position.js';
import { type ObjectStore, openStore } from '../../storage/index.js';
import { startMinio } from '../../workflows/dev/minio.js';
import { writeEmojiDataset } from '../../workflows/dev/emoji-dataset.js';

const tokenize = (texts: readonly string[]): Int32Array => {
  const out = new Int32Array(texts.length * 8);
  texts.forEach((t, i) => [...t].slice(0, 8).forEach((ch, j) => (out[i * 8 + j] = ch.codePointAt(0)! % 1000)));
  return out;
};

async function take(store: ObjectStore, shards: string[], cfg: LoaderConfigInput, n: number, position?: unknown, seed = 5): Promise<LoaderBatch[]> {
  const loader = await StreamingLoader.open({
    store,
    shards,
    config: parseLoaderConfig(cfg),
    tokenize,
    seed,
    ...(position !== undefined && { position: parsePosition(JSON.parse(JSON.stringify(position))) }),
  });
  const out: LoaderBatch[] = [];
  for (let i = 0; i < n; i++) out.push(await loader.next());
  await loader.close();
  return out;
}

function sameBatches(a: LoaderBatch[], b: LoaderBatch[]): void {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    const y = b[i]!;
    assert.deepEqual(x.ids, y.ids, `batch ${i} ids`);
    assert.deepEqual(x.captions, y.captions, `batch ${i} captions`);
    assert.deepEqual(x.tokens, y.tokens, `batch ${i} tokens`);
    assert.deepEqual(x.images, y.images, `batch ${i} pixels`);
    assert.deepEqual(x.views, y.views, `batch ${i} views`);
    assert.deepEqual(x.position, y.position, `batch ${i} position`);
  });
}

describe('streaming loader', () => {
  let dir: string;
  let store: ObjectStore;
  let shards: string[];
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sigforge-loader-'));
    store = openStore(pathToFileURL(dir).href);
    // 90 rows in 3 shards of 3–4 row groups: an epoch is ~11 batches of 8, so 14 batches cross an epoch.
    shards = (await writeEmojiDataset(store, { rows: 90, shards: 3, rowGroupRows: 8, weighted: true })).shardKeys;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const fixed: LoaderConfigInput = { batchSize: 8, resolution: { kind: 'fixed', size: 32 }, windowGroups: 2, flip: true };

  it('after a restore from the saved position, yields exactly the batches of an uninterrupted run (mid-epoch and across the epoch end)', async () => {
    const whole = await take(store, shards, fixed, 14);
    for (const k of [3, 5, 11]) {
      const resumed = await take(store, shards, fixed, 14 - k, whole[k - 1]!.position);
      sameBatches(resumed, whole.slice(k));
    }
    assert.ok(whole.at(-1)!.position.epoch >= 1, 'the run crossed into the next epoch');
    const e0 = whole.filter((b) => b.position.epoch === 0).flatMap((b) => b.ids);
    assert.ok(new Set(e0).size > 60, 'an epoch covers the dataset');
  });

  it('differs between seeds and between epochs, honours weights and samples alt captions', async () => {
    const a = await take(store, shards, fixed, 11);
    const b = await take(store, shards, fixed, 11, undefined, 6);
    assert.notDeepEqual(a[0]!.ids, b[0]!.ids);
    const ids = a.flatMap((x) => x.ids);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.ok([...counts.values()].some((n) => n >= 2), 'a weight-2 row appears twice in an epoch');
    const captions = a.flatMap((x) => x.captions);
    assert.ok(captions.some((c) => /[ぁ-ヿ一-鿿]/.test(c)), 'some captions are the Japanese alternatives');
    for (const x of a) for (const v of x.images.kind === 'fixed' ? x.images.pixels : []) assert.ok(v >= -1 && v <= 1);
  });

  it('makes NaFlex batches within their sequence budget, with per-batch lengths, and resumes them exactly', async () => {
    const cfg: LoaderConfigInput = { batchSize: 4, resolution: { kind: 'naflex', patchSize: 8, seqLens: [4, 16, 36] }, windowGroups: 2 };
    const whole = await take(store, shards, cfg, 8);
    const lens = new Set<number>();
    for (const batch of whole) {
      assert.equal(batch.images.kind, 'naflex');
      if (batch.images.kind !== 'naflex') continue;
      const { seqLen, spatialShapes, mask } = batch.images;
      lens.add(seqLen);
      spatialShapes.forEach(([r, c], i) => {
        assert.ok(r * c <= seqLen, `${r}×${c} patches exceed ${seqLen}`);
        const real = mask.subarray(i * seqLen, (i + 1) * seqLen).reduce((s, v) => s + v, 0);
        assert.equal(real, r * c);
      });
    }
    assert.ok(lens.size >= 2, `sequence lengths vary per batch (${[...lens].join(',')})`);
    sameBatches(await take(store, shards, cfg, 4, whole[3]!.position), whole.slice(4));
    assert.deepEqual(naflexSize(64, 64, 16, 256), [256, 256]);
    assert.deepEqual(naflexSize(480, 640, 16, 256), [224, 288]);
  });

  it('produces self-distillation views deterministically', async () => {
    const cfg: LoaderConfigInput = { ...fixed, views: { globalSize: 32, localSize: 16, locals: 2 } };
    const whole = await take(store, shards, cfg, 3);
    assert.equal(whole[0]!.views!.locals.length, 2);
    assert.equal(whole[0]!.views!.global.length, 8 * 32 * 32 * 3);
    sameBatches(await take(store, shards, cfg, 1, whole[1]!.position), whole.slice(2));
  });

  it('streams the same batches from MinIO over ranged reads', async () => {
    const minio = await startMinio();
    try {
      const s3 = openStore(`s3://${minio.bucket}/loader`, {
        s3: { endpoint: minio.endpoint, region: minio.region, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
      });
      const remote = (await writeEmojiDataset(s3, { rows: 90, shards: 3, rowGroupRows: 8, weighted: true })).shardKeys;
      sameBatches(await take(s3, remote, fixed, 4), await take(store, shards, fixed, 4));
    } finally {
      await minio.stop();
    }
  });

  it('rejects a bad config and a bad position with the field named', async () => {
    assert.throws(() => parseLoaderConfig({ batchSize: 0, resolution: { kind: 'fixed', size: 32 } }), /batchSize/);
    assert.throws(() => parsePosition({ seed: 1, epoch: -1 }), /position\.epoch/);
  });
});
